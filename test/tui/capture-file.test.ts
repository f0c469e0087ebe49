import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { writeMixedCapture } from '../../bench/pcap-gen.js';
import { Replayer } from '../../source/capture/replay.js';
import { fateText } from '../../source/capture/replay-view.js';
import { safeText } from '../../source/views/safe-text.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import { matchFilter, parseFilter } from '../../source/capture/filter.js';
import { CaptureInputError } from '../../source/capture/frame.js';
import { CaptureReader } from '../../source/capture/reader.js';
import { jsonLine } from '../../source/capture/summary.js';
import { CaptureFile } from '../../source/tui/capture/capture-file.js';
import { packetAt } from '../../source/capture/packet-at.js';
import { toEnginePacket } from '../../source/capture/to-packet.js';
import { resolveSource } from '../../source/commands/sources.js';
import { tracePacket } from '../../source/trace/pipeline.js';
import { captureRows, hexDump, layerLines, traceCapturedPacket } from '../../source/tui/capture/capture-rows.js';
import { checkForm, EMPTY_FORM, formExpression, formFromExpression } from '../../source/tui/form.js';
import { generatedCaptures } from '../capture/support/generated.js';

const dir = mkdtempSync(join(tmpdir(), 'netsleuth-capture-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
	const file = join(dir, name);
	writeFileSync(file, bytes);
	return file;
}

/** Every frame of a capture, read straight through as `netsleuth pcap` reads it. */
function streamed(bytes: Uint8Array): string[] {
	const reader = new CaptureReader();
	reader.feed(bytes);
	const lines: string[] = [];
	let frame;
	while ((frame = reader.next()) !== undefined) lines.push(jsonLine(decodeFrame(frame)));
	reader.end();
	return lines;
}

async function loaded(file: string): Promise<CaptureFile> {
	const capture = CaptureFile.open(file);
	await capture.start();
	return capture;
}

async function until(check: () => boolean): Promise<void> {
	const end = Date.now() + 5000;
	while (!check()) {
		if (Date.now() > end) assert.fail('timed out');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

describe('the Capture view\'s file', () => {
	test('a packet decoded again from the index is the packet the stream decoded: every format, byte order, resolution and link type', async () => {
		for (const capture of generatedCaptures()) {
			const file = await loaded(write(capture.name, capture.bytes));
			const expected = streamed(capture.bytes);
			assert.ok(file.load.done && file.load.error === undefined, capture.name);
			assert.equal(file.count, expected.length, capture.name);
			for (let i = 0; i < file.count; i++) assert.equal(jsonLine(file.decoded(i)), expected[i], `${capture.name} #${i + 1}`);
			file.close();
		}
	});
	test('a filter is a pass of its own: the rows are the packets it matches, in order', async () => {
		const capture = generatedCaptures()[0]!;
		const file = await loaded(write('filter.pcap', capture.bytes));
		const node = parseFilter('udp or arp');
		const reader = new CaptureReader();
		reader.feed(capture.bytes);
		const wanted: number[] = [];
		for (let frame = reader.next(); frame !== undefined; frame = reader.next()) if (matchFilter(node, decodeFrame(frame))) wanted.push(frame.n - 1);
		assert.ok(wanted.length > 3 && wanted.length < file.count);
		file.setFilter('udp or arp');
		await until(() => file.filterPass.done);
		assert.deepEqual(Array.from({ length: file.shown }, (_, row) => file.packetAt(row)), wanted);
		file.setFilter(null);
		assert.equal(file.shown, file.count);
		assert.throws(() => file.setFilter('port'), /column 5: expected a port number/);
		file.close();
	});
	test('a damaged file: the packets before the damage are listed, the error names its byte offset', async () => {
		const frames = [g.eth('02:00:00:00:00:01', '02:00:00:00:00:02', 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(1, 2, new Uint8Array(8))))];
		const whole = g.pcapFile([0, 1, 2].map((i) => ({ sec: i, nsec: 0, data: frames[0]! })));
		const file = await loaded(write('cut.pcap', whole.subarray(0, whole.length - 10)));
		assert.equal(file.count, 2);
		assert.match(file.load.error ?? '', /^byte offset \d+: the file ends inside packet record 3: .* \(after 2 packets\)$/);
		file.close();
	});
	test('t traces a packet as trace --pcap FILE --packet N does: the same trace, from the same bytes', async () => {
		const { model } = await resolveSource({ demo: 'reject-ip' }, async () => '');
		const capture = generatedCaptures().find((c) => c.name === 'sections.pcapng')!;
		const path = write('trace.pcapng', capture.bytes);
		const file = await loaded(path);
		let traced = 0;
		for (let n = 1; n <= file.count; n++) {
			const outcome = traceCapturedPacket(model, file, n);
			const decoded = await packetAt(path, n);
			if (decoded.ip === undefined) {
				assert.ok('error' in outcome && /netsleuth traces IPv4 and IPv6 packets/.test(outcome.error), `#${n}`);
				continue;
			}
			assert.ok('trace' in outcome, `#${n}`);
			assert.equal(JSON.stringify(outcome.trace), JSON.stringify(tracePacket(model, toEnginePacket(decoded))), `#${n}`);
			traced++;
		}
		assert.ok(traced >= 4, `${traced} packets traced`);
		file.close();
	});
	test('a replay\'s answers are each packet\'s as a Replayer of its own gives them over the stream (fate and rule, conntrack, flow); a held pass waits', async () => {
		const { model } = await resolveSource({ demo: 'reject-ip' }, async () => '');
		const path = join(dir, 'mixed.pcap');
		writeMixedCapture(path, 3000);
		const bytes = readFileSync(path);
		const expected = new Replayer(model);
		const reader = new CaptureReader();
		reader.feed(bytes);
		const wanted: [string, string | null, number | null][] = [];
		for (let frame = reader.next(); frame !== undefined; frame = reader.next()) {
			const r = expected.replay(decodeFrame(frame));
			wanted.push([safeText(fateText(r)), r.ct, r.flow]);
		}
		assert.ok(new Set(wanted.map(([text, ct]) => `${text} ${ct}`)).size >= 3, 'several answers');
		const file = await loaded(path);
		file.hold.hold();
		file.replay(new Replayer(model));
		await new Promise((resolve) => setTimeout(resolve, 20));
		const heldAt = file.replayed;
		await new Promise((resolve) => setTimeout(resolve, 20));
		assert.equal(file.replayed, heldAt, 'no packet replayed while held');
		file.hold.release();
		await until(() => file.replayPass?.done === true);
		assert.equal(file.replayed, wanted.length);
		const got = wanted.map((_, i) => { const a = file.answer(i)!; return [a.text, a.ct, a.flow] as [string, string | null, number | null]; });
		assert.deepEqual(got, wanted);
		file.close();
	});
	test('what is not a capture fails when it is opened (in the shell, before the screen is taken)', () => {
		assert.throws(() => CaptureFile.open(write('text.pcap', Buffer.from('hello, this is text\n'))), (e: Error) => e instanceof CaptureInputError && /not a pcap or pcapng file \(magic number 0x68656c6c\)/.test(e.message));
		assert.throws(() => CaptureFile.open(write('empty.pcap', new Uint8Array(0))), /the file is empty/);
		assert.throws(() => CaptureFile.open(dir), /is a directory/);
		assert.throws(() => CaptureFile.open(join(dir, 'missing.pcap')), /cannot read it \(ENOENT\)/);
		assert.throws(() => CaptureFile.open('-'), /reads a file/);
	});
	test('the list\'s columns stay in line with IPv4, IPv6 and MAC addresses (long ones cut in the middle)', async () => {
		const ip4 = g.eth('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(1, 2, new Uint8Array(0))));
		const ip6 = g.eth('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x86dd, g.ipv6('2001:db8:aaaa:bbbb:cccc:dddd:eeee:1', 'fe80::1', 17, g.udp(1, 2, new Uint8Array(0))));
		const arp = g.eth('ff:ff:ff:ff:ff:ff', '02:00:00:00:00:0a', 0x0806, g.arp(1, '02:00:00:00:00:0a', '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2'));
		const file = await loaded(write('columns.pcap', g.pcapFile([ip4, ip6, arp].map((data, i) => ({ sec: i, nsec: 0, data })))));
		const rows = captureRows(file);
		const texts = Array.from({ length: rows.count }, (_, i) => rows.text(i));
		assert.equal(texts.length, 3);
		const arrows = texts.map((t) => t.indexOf('→'));
		assert.ok(arrows.every((a) => a === arrows[0]), texts.join('\n'));
		assert.ok(texts[1]!.includes('2001:db8…d:eeee:1 → fe80::1 '), texts[1]);
	});

	test('the hex dump shows printable ASCII only: escape sequences and controls become dots', () => {
		const lines = hexDump(Buffer.from('GET /\x1b]52;c;aGk=\x07\x1b[31m\r\n\x9b\u00ff', 'latin1'));
		assert.deepEqual(lines, [
			'0000  47 45 54 20 2f 1b 5d 35  32 3b 63 3b 61 47 6b 3d  GET /.]52;c;aGk=',
			'0010  07 1b 5b 33 31 6d 0d 0a  9b ff                    ..[31m....',
		]);
	});
	test('the layers: one line each, every decoded field, wrapped to the width', () => {
		const bytes = g.eth('02:00:00:00:00:01', '02:00:00:00:00:02', 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 6, g.tcp(40000, 443, new Uint8Array(0), { flags: 0x12, options: g.TCP_SYN_OPTIONS })));
		const d = decodeFrame({ n: 1, offset: 0, hasTs: true, sec: 0, nsec: 0, digits: 6, linkType: 1, iface: 0, ifName: undefined, caplen: bytes.length, len: bytes.length, buf: bytes, start: 0 });
		const lines = layerLines(d, 80);
		assert.match(lines[0]!, /^Ethernet +@0 +dst 02:00:00:00:00:01  src 02:00:00:00:00:02  type 0x800$/);
		assert.match(lines[1]!, /^IPv4 +@14 +ihl 20 /);
		assert.ok(lines.some((l) => /flags SYN,ACK/.test(l)) && lines.some((l) => /mss 1460/.test(l)));
		for (const line of lines) assert.ok(line.length <= 80, line);
	});
});

describe('the packet form', () => {
	test('it writes the expression the line reads, and reads one back', () => {
		const values = { ...EMPTY_FORM, proto: 'tcp', src: '10.2.67.113', sport: '51000', dst: '172.16.6.251', dport: '22', in: 'ens32', mac: '02:00:0d:4c:00:03', mark: '0x1', state: 'NEW' };
		const expression = formExpression(values);
		assert.equal(expression, 'tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32 mac 02:00:0d:4c:00:03 mark 0x1 state NEW');
		assert.deepEqual(formFromExpression(expression), values);
		assert.equal(formExpression({ ...EMPTY_FORM, proto: 'udp', src: 'fd00::1', sport: '5', dst: 'fd00::2', dport: '53', in: 'local' }), 'udp [fd00::1]:5 > [fd00::2]:53 local');
	});
	test('the check is spec.ts\'s, and the error is pinned on the field it is about', () => {
		const base = { ...EMPTY_FORM, proto: 'tcp', src: '10.0.0.1', dst: '10.0.0.2', dport: '22' };
		assert.equal(checkForm(base).check.ok, true);
		const cases: [Partial<typeof base>, string, RegExp][] = [
			[{ src: '' }, 'src', /needs a source address/],
			[{ dst: '10.0.0.300' }, 'dst', /destination "10\.0\.0\.300" is not an IP address/],
			[{ dport: '70000' }, 'dport', /destination port must be a number from 0 to 65535/],
			[{ sport: 'x' }, 'sport', /source port must be a number/],
			[{ proto: 'tcpp' }, 'proto', /unknown protocol "tcpp"/],
			[{ flags: 'SYN,BOGUS' }, 'flags', /unknown TCP flag "BOGUS"/],
			[{ mac: '02:00' }, 'mac', /"02:00" is not a MAC address/],
			[{ mark: 'lots' }, 'mark', /mark must be a number/],
			[{ state: 'OPEN' }, 'state', /state must be one of NEW/],
			[{ type: 'echo-request' }, 'type', /--icmp-type needs an ICMP packet/],
		];
		for (const [change, field, error] of cases) {
			const { check, field: pinned } = checkForm({ ...base, ...change });
			assert.equal(check.ok, false, JSON.stringify(change));
			if (!check.ok) assert.match(check.error, error);
			assert.equal(pinned, field, JSON.stringify(change));
		}
		const warned = checkForm({ ...base, in: 'ens99' }, new Set(['ens32']));
		assert.equal(warned.check.ok && warned.check.warning, 'this host has no interface ens99');
		assert.equal(warned.field, 'in');
	});
});
