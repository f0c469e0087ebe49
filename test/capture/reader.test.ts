import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import { frameBytes, type Frame } from '../../source/capture/frame.js';
import { readWithPcapParser } from '../../source/capture/pcap-parser-reader.js';
import { CaptureReader } from '../../source/capture/reader.js';
import { isoTime } from '../../source/capture/timestamp.js';
import { corpusCaptures, PCAP_DIR, pcapCorpusPresent, readAll, recordedCounts } from './support/corpus.js';
import { generatedCaptures, layerFrames } from './support/generated.js';

const noCorpus = pcapCorpusPresent ? false : 'the pcap corpus (../shared/corpus/pcap) is absent';

/** Frames as plain data, for comparing readers (bytes as hex; the buffer a frame lives in does not matter). */
function plain(f: Frame): Record<string, unknown> {
	return {
		n: f.n, offset: f.offset, hasTs: f.hasTs, sec: f.sec, nsec: f.nsec, digits: f.digits, linkType: f.linkType,
		iface: f.iface, ifName: f.ifName, caplen: f.caplen, len: f.len, bytes: Buffer.from(frameBytes(f)).toString('hex'),
	};
}

/** Files capinfos could not read to the end, with the byte offset and packet count netsleuth reports. */
const DAMAGED: Record<string, { offset: number; packets: number; reason: RegExp }> = {
	'gopacket_pcapng_le_test901.pcapng': { offset: 480, packets: 1, reason: /unsupported pcapng section version 2\.0/ },
};

test('every corpus capture reads to the end with the packet count capinfos recorded, or stops at its damage', { skip: noCorpus }, () => {
	const counts = recordedCounts();
	const names = corpusCaptures();
	assert.ok(names.length >= 80, `only ${names.length} captures`);
	for (const name of names) {
		const bytes = readFileSync(`${PCAP_DIR}${name}`);
		const { frames, error } = readAll(bytes);
		for (const frame of frames) decodeFrame(frame); // never throws
		const damaged = DAMAGED[name];
		if (damaged) {
			assert.ok(error, `${name} should fail`);
			assert.equal(error.offset, damaged.offset, name);
			assert.equal(error.packetsBefore, damaged.packets, name);
			assert.equal(frames.length, damaged.packets, name);
			assert.match(error.message, damaged.reason);
			assert.equal(counts.get(name), 'err', `${name}: SOURCES.md records capinfos failing too`);
			continue;
		}
		assert.equal(error, undefined, `${name}: ${error?.message}`);
		assert.equal(frames.length, counts.get(name), `${name}: capinfos counted ${counts.get(name)}`);
	}
});

test('frames do not depend on how the input is cut into chunks', { skip: noCorpus }, () => {
	for (const name of ['gopacket_pcapng_le_test202.pcapng', 'gopacket_pcapng_be_test100.pcapng', 'tcpdump_vxlan.pcap', 'tcpdump_tcp_handshake_nano.pcap', 'gopacket_pcapng_le_test901.pcapng']) {
		const bytes = readFileSync(`${PCAP_DIR}${name}`);
		const whole = readAll(bytes);
		for (const chunk of [1, 3, 7, 64, 1000]) {
			const cut = readAll(bytes, chunk);
			assert.deepEqual(cut.frames.map(plain), whole.frames.map(plain), `${name} in chunks of ${chunk}`);
			assert.equal(cut.error?.message, whole.error?.message);
		}
	}
});

test('classic pcap: both byte orders, microseconds and nanoseconds give the same packets', () => {
	const records = layerFrames().map((data, i) => ({ sec: 1_700_000_000 + i, nsec: 123_456_789 * (i + 1) % 1e9, data }));
	const read = (o: g.PcapOptions) => readAll(g.pcapFile(records, o)).frames;
	const le = read({});
	const be = read({ le: false });
	const leNs = read({ nano: true });
	const beNs = read({ le: false, nano: true });
	assert.equal(le.length, records.length);
	assert.deepEqual(be.map(plain), le.map(plain));
	assert.deepEqual(beNs.map(plain), leNs.map(plain));
	leNs.forEach((f, i) => {
		assert.equal(f.nsec, records[i]!.nsec);
		assert.equal(f.digits, 9);
		assert.equal(le[i]!.nsec, Math.floor(records[i]!.nsec / 1000) * 1000);
		assert.equal(le[i]!.digits, 6);
	});
	assert.equal(isoTime(leNs[0]!), '2023-11-14T22:13:20.123456789Z');
	assert.equal(isoTime(le[0]!), '2023-11-14T22:13:20.123456Z');
});

test('pcapng: sections of both byte orders, several interfaces and link types, if_tsresol, simple packets, unknown blocks skipped', () => {
	const capture = generatedCaptures().find((c) => c.name === 'sections.pcapng')!;
	const { frames, error } = readAll(capture.bytes);
	assert.equal(error, undefined);
	assert.deepEqual(frames.map((f) => [f.linkType, f.iface, f.ifName, f.hasTs, f.digits]), [
		[1, 0, 'eth0', true, 6],
		[101, 1, 'tun0', true, 9],
		[113, 2, 'any', true, 3],
		[1, 0, 'eth1', true, 9],
		[229, 1, undefined, true, 6],
		[1, 0, undefined, false, 6],
		[1, 0, undefined, false, 6],
	]);
	assert.deepEqual(frames.map((f) => isoTime(f)), [
		'2023-11-14T22:13:20.000000Z', '2023-11-14T22:15:00.123456789Z', '2023-11-14T22:16:40.005Z',
		'2023-11-14T22:18:20.500000000Z', '2023-11-14T22:20:00.000000Z', null, null,
	]);
	assert.equal(frames[6]!.caplen, 64, 'a simple packet block holds at most the snapshot length');
	assert.ok(frames[6]!.len > 64);
});

test('pcapng timestamps: 64-bit counts split exactly, in any resolution', () => {
	for (const [tsresol, nsec] of [[6, 999_999_000], [9, 999_999_999], [3, 999_000_000], [0x80 | 30, 999_999_998], [0x80 | 10, 999_023_437]] as const) {
		const bytes = g.pcapngFile([{ le: true, interfaces: [{ linkType: 1, tsresol }], records: [{ sec: 4_294_967_296 + 5, nsec: 999_999_999, data: new Uint8Array(14) }] }]);
		const [frame] = readAll(bytes).frames;
		assert.equal(frame!.sec, 4_294_967_301, `tsresol ${tsresol}`);
		assert.equal(frame!.nsec, nsec, `tsresol ${tsresol}`);
	}
});

/** readAll, checked to give the same frames and error whatever the chunks (a record copied out alone, or with the chunk). */
function readCut(bytes: Uint8Array): ReturnType<typeof readAll> {
	const whole = readAll(bytes);
	for (const chunk of [5, 37, 300, 4096]) {
		const cut = readAll(bytes, chunk);
		assert.deepEqual(cut.frames.map(plain), whole.frames.map(plain), `in chunks of ${chunk}`);
		assert.equal(cut.error?.message, whole.error?.message, `in chunks of ${chunk}`);
	}
	return whole;
}

test('generated captures: frames do not depend on how the input is cut into chunks', () => {
	for (const { name, bytes } of generatedCaptures()) {
		const { frames, error } = readCut(bytes);
		assert.equal(error, undefined, name);
		assert.ok(frames.length > 0, name);
	}
});

test('a damaged file yields every packet before the damage, then an error with the byte offset', () => {
	const records = layerFrames().slice(0, 3).map((data, i) => ({ sec: i, nsec: 0, data }));
	const good = g.pcapFile(records);
	const second = 24 + 16 + records[0]!.data.length;
	// cut inside the third record
	const third = second + 16 + records[1]!.data.length;
	let r = readCut(good.subarray(0, third + 20));
	assert.equal(r.frames.length, 2);
	assert.equal(r.error?.offset, third);
	assert.match(r.error!.message, /^byte offset \d+: the file ends inside packet record 3: 20 of its \d+ bytes are there$/);
	// an impossible captured length
	const bad = Buffer.from(good);
	bad.writeUInt32LE(0x7fffffff, second + 8);
	r = readCut(bad);
	assert.equal(r.frames.length, 1);
	assert.equal(r.error?.offset, second);
	assert.match(r.error!.message, /claims 2147483647 captured bytes/);
	// not a capture at all; an empty file; a cut file header
	assert.match(readCut(Buffer.from('hello world, not a pcap')).error!.message, /^byte offset 0: not a pcap or pcapng file \(magic number 0x68656c6c\)$/);
	assert.match(readCut(new Uint8Array(0)).error!.message, /the file is empty/);
	assert.equal(readCut(good.subarray(0, 10)).error?.offset, 0);
	// pcapng: a block whose trailing length disagrees, a packet on an interface never described
	const ng = Buffer.from(g.pcapngFile([{ le: true, interfaces: [{ linkType: 1 }], records: records.map((rec) => ({ ...rec })) }]));
	const shb = 28;
	const idb = 20;
	const epb1 = shb + idb;
	const epb2 = epb1 + ng.readUInt32LE(epb1 + 4);
	const broken = Buffer.from(ng);
	broken.writeUInt32LE(999, epb2 + broken.readUInt32LE(epb2 + 4) - 4);
	r = readCut(broken);
	assert.equal(r.frames.length, 1);
	assert.equal(r.error?.offset, epb2);
	assert.match(r.error!.message, /trailing length 999 differs/);
	const stray = Buffer.from(ng);
	stray.writeUInt32LE(5, epb2 + 8);
	r = readCut(stray);
	assert.equal(r.frames.length, 1);
	assert.equal(r.error?.offset, epb2);
	assert.match(r.error!.message, /names interface 5, but the section describes 1/);
});

test('pcap-parser (the design card\'s reader) and netsleuth\'s reader yield identical frames', { skip: noCorpus }, async () => {
	const files = corpusCaptures().filter((name) => {
		const magic = readFileSync(`${PCAP_DIR}${name}`).subarray(0, 4).toString('hex');
		return magic === 'd4c3b2a1' || magic === 'a1b2c3d4';
	});
	assert.ok(files.length >= 50);
	const generated = generatedCaptures().filter((c) => c.name.endsWith('usec.pcap') || /^(sll|sll2|raw|ipv4|ipv6|null)\.pcap$/.test(c.name));
	const inputs = [...files.map((name) => ({ name, bytes: readFileSync(`${PCAP_DIR}${name}`) as Uint8Array })), ...generated];
	for (const { name, bytes } of inputs) {
		const ours = readAll(bytes).frames.map(plain);
		const theirs: Record<string, unknown>[] = [];
		await readWithPcapParser(Readable.from([Buffer.from(bytes)]), (f) => theirs.push(plain(f)));
		assert.deepEqual(theirs, ours, name);
	}
});

test('pcap-parser refuses what netsleuth reads: nanosecond pcap and pcapng', async () => {
	for (const capture of generatedCaptures().filter((c) => c.name.endsWith('nsec.pcap') || c.name.endsWith('.pcapng'))) {
		await assert.rejects(readWithPcapParser(Readable.from([Buffer.from(capture.bytes)]), () => {}), /unknown magic number/);
		assert.ok(readAll(capture.bytes).frames.length > 0);
	}
});

test('reader state: format, link type and sections', () => {
	const reader = new CaptureReader();
	assert.equal(reader.next(), undefined);
	reader.feed(g.pcapFile([], { linkType: 113 }));
	assert.equal(reader.next(), undefined);
	assert.equal(reader.format, 'pcap');
	assert.equal(reader.linkType, 113);
	reader.end();
	const ng = new CaptureReader();
	ng.feed(generatedCaptures().find((c) => c.name === 'sections.pcapng')!.bytes);
	while (ng.next() !== undefined);
	ng.end();
	assert.equal(ng.format, 'pcapng');
	assert.equal(ng.sections, 3);
	assert.equal(ng.count, 7);
});

test('streaming: the reader holds at most one chunk and one record, however long the input', () => {
	const frames = layerFrames();
	const reader = new CaptureReader();
	const chunk = 65536;
	const header = g.pcapHeader();
	reader.feed(header);
	let packets = 0;
	let most = 0;
	const pending: Uint8Array[] = [];
	let size = 0;
	const push = (bytes: Uint8Array) => {
		pending.push(bytes);
		size += bytes.length;
		if (size < chunk) return;
		reader.feed(Buffer.concat(pending));
		pending.length = 0;
		size = 0;
		while (reader.next() !== undefined) packets++;
		most = Math.max(most, reader.buffered);
	};
	for (let n = 0; n < 200_000; n++) push(g.pcapRecord({ sec: n, nsec: 0, data: frames[n % frames.length]! }));
	reader.feed(Buffer.concat(pending));
	while (reader.next() !== undefined) packets++;
	reader.end();
	assert.equal(packets, 200_000);
	assert.ok(reader.consumed > 15_000_000, `${reader.consumed} bytes read`);
	assert.ok(most < 2 * chunk, `held ${most} bytes at most`);
});
