import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Frame } from './frame.js';

/**
 * The design card's classic-pcap reader (the npm package pcap-parser), adapted to netsleuth's Frame.
 * It reads microsecond pcap only (no nanosecond pcap, no pcapng) and frames about 0.1–0.3 million
 * packets/s, so the CLI reads with CaptureReader; this adapter exists to prove both yield the same
 * frames and to measure them side by side (bench/capture.ts).
 */
interface PcapParserHeader {
	timestampSeconds: number;
	timestampMicroseconds: number;
	capturedLength: number;
	originalLength: number;
}

interface PcapParser {
	parse(input: string | Readable): EventEmitter;
}

const require = createRequire(import.meta.url);

/** Calls onFrame for every packet pcap-parser yields; resolves with the count, rejects on its errors. */
export function readWithPcapParser(input: string | Readable, onFrame: (frame: Frame) => void): Promise<number> {
	const parser = (require('pcap-parser') as PcapParser).parse(input);
	let linkType = -1;
	let count = 0;
	let offset = 24;
	return new Promise((resolve, reject) => {
		parser.on('globalHeader', (header: { linkLayerType: number }) => {
			linkType = header.linkLayerType & 0x03ffffff;
		});
		parser.on('packet', (packet: { header: PcapParserHeader; data: Buffer }) => {
			count++;
			const { header, data } = packet;
			onFrame({
				n: count, offset, hasTs: true, sec: header.timestampSeconds, nsec: header.timestampMicroseconds * 1000,
				digits: 6, linkType, iface: 0, ifName: undefined, caplen: header.capturedLength, len: header.originalLength,
				buf: data, start: 0,
			});
			offset += 16 + header.capturedLength;
		});
		parser.on('error', reject);
		parser.on('end', () => resolve(count));
	});
}
