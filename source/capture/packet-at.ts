import { createReadStream } from 'node:fs';
import { safeText } from '../views/safe-text.js';
import { decodeFrame } from './decode/index.js';
import type { DecodedPacket } from './decode/packet.js';
import { CaptureError, CaptureInputError } from './frame.js';
import { CaptureReader } from './reader.js';

/** The N-th packet (1-based) of a capture file, decoded; reads only as far as it. */
export async function packetAt(file: string, n: number): Promise<DecodedPacket> {
	const reader = new CaptureReader();
	const name = safeText(file);
	try {
		for await (const chunk of createReadStream(file, { highWaterMark: 1 << 18 })) {
			reader.feed(chunk as Uint8Array);
			let frame;
			while ((frame = reader.next()) !== undefined) if (reader.count === n) return decodeFrame(frame);
		}
		reader.end();
	} catch (error) {
		if (error instanceof CaptureError) throw new CaptureInputError(`${name}: ${error.message}`);
		if (error instanceof CaptureInputError) throw error;
		throw new CaptureInputError(`${name}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
	}
	throw new CaptureInputError(`${name}: has ${reader.count} packet${reader.count === 1 ? '' : 's'}, no packet ${n}`);
}
