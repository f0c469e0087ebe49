import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { REPO } from '../support/paths.js';
import { PCAP_DIR, pcapCorpusPresent } from './support/corpus.js';
import { generatedCaptures, layerFrames } from './support/generated.js';

const BIN = join(REPO, 'bin', 'netsleuth.js');

function run(args: string[], input?: Uint8Array): { code: number | null; stdout: string; stderr: string } {
	const result = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-pcap-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
function file(name: string, bytes: Uint8Array): string {
	const path = join(tmp, name);
	writeFileSync(path, bytes);
	return path;
}

const captures = new Map(generatedCaptures().map((c) => [c.name, c.bytes]));
const layers = file('layers.pcap', captures.get('layers-le-usec.pcap')!);

describe('netsleuth pcap --json', () => {
	test('one object per line, with the contract\'s fields in order', () => {
		const { code, stdout, stderr } = run(['pcap', layers, '--json']);
		assert.equal(code, 0, stderr);
		const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
		assert.equal(lines.length, layerFrames().length);
		assert.deepEqual(Object.keys(lines[0]).slice(0, 11), ['n', 'ts', 'caplen', 'len', 'layers', 'src', 'dst', 'proto', 'sport', 'dport', 'summary']);
		assert.deepEqual(lines[0], {
			n: 1, ts: '2023-11-14T22:13:20.000000Z', caplen: 74, len: 74, layers: ['eth', 'ipv4', 'tcp'], src: '10.1.2.3', dst: '10.4.5.6',
			proto: 'tcp', sport: 40000, dport: 443, summary: '40000 > 443 [SYN] seq 123456789 win 64240 len 0 mss 1460 wscale 7 sackOK',
		});
		assert.equal(lines[1].ts, '2023-11-14T22:13:21.123456Z');
		const arp = lines.find((l) => l.proto === 'arp');
		assert.deepEqual([arp.src, arp.dst, arp.sport], ['02:00:00:00:00:0a', 'ff:ff:ff:ff:ff:ff', undefined]);
		const vxlan = lines.find((l) => l.layers.includes('vxlan'));
		assert.deepEqual(vxlan.layers, ['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp']);
		assert.match(vxlan.summary, /^50000 > 4789 len \d+ vxlan vni 4096: 192\.168\.1\.1 > 192\.168\.1\.2 1 > 2 \[PSH,ACK\]/);
	});

	test('nanosecond files print nine digits; pcapng names the interface; SPB has no time', () => {
		const ns = run(['pcap', file('ns.pcap', captures.get('layers-be-nsec.pcap')!), '--json']);
		assert.equal(JSON.parse(ns.stdout.split('\n')[1]!).ts, '2023-11-14T22:13:21.123456789Z');
		const ng = run(['pcap', file('sections.pcapng', captures.get('sections.pcapng')!), '--json']).stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
		assert.deepEqual(ng.map((l) => l.in ?? null), ['eth0', 'tun0', 'any', 'eth1', null, null, null]);
		assert.deepEqual(ng.map((l) => l.ts === null), [false, false, false, false, false, true, true]);
	});

	test('lines are pure ASCII: other characters (an interface named in UTF-8) are escaped', () => {
		const bytes = g.pcapngFile([{ le: true, interfaces: [{ linkType: 1, name: 'wlan-é☃\u{1f600}' }], records: [{ sec: 0, nsec: 0, data: layerFrames()[0]! }] }]);
		const { stdout } = run(['pcap', file('utf8.pcapng', bytes), '--json']);
		assert.match(stdout, /^[\x20-\x7e\n]*$/);
		assert.equal(JSON.parse(stdout).in, 'wlan-é☃\u{1f600}');
	});

	test('standard input ("-") gives the same output as the file', () => {
		const fromFile = run(['pcap', layers, '--json']);
		const fromStdin = run(['pcap', '-', '--json'], captures.get('layers-le-usec.pcap'));
		assert.equal(fromStdin.code, 0, fromStdin.stderr);
		assert.equal(fromStdin.stdout, fromFile.stdout);
	});

	test('--filter keeps the matching packets and their numbers', () => {
		const { stdout } = run(['pcap', layers, '--json', '--filter', 'udp and (port 53 or port 5353) and not tcp']);
		const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
		assert.deepEqual(lines.map((l) => l.n), [6, 7]);
		assert.ok(lines.every((l) => l.layers.includes('dns')));
	});
});

describe('netsleuth pcap (table)', () => {
	test('columns number, time, source, destination, protocol, ports, length, summary; no colour codes', () => {
		const { code, stdout } = run(['pcap', layers, '--filter', 'tcp port 443']);
		assert.equal(code, 0);
		const header = stdout.split('\n')[1]!;
		assert.deepEqual(header.split('│').map((c) => c.trim()).filter(Boolean), ['#', 'time', 'source', 'destination', 'protocol', 'ports', 'length', 'summary']);
		const rows = stdout.split('\n').filter((l) => /^│ \d/.test(l)).map((l) => l.split('│').map((c) => c.trim()).filter(Boolean));
		assert.deepEqual(rows[0]!.slice(0, 7), ['1', '2023-11-14 22:13:20.000000', '10.1.2.3', '10.4.5.6', 'tcp', '40000 > 443', '74']);
		assert.equal(rows.length, 2);
		assert.doesNotMatch(stdout, /\x1b/);
	});

	test('terminal control characters in packet contents never reach the terminal', () => {
		const evil = g.pcapFile([{ sec: 0, nsec: 0, data: g.eth('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(1, 53, g.dnsQuery(1, '\x1b[2J\x1b]52;c;aGk=\x07.evil', 1)))) }]);
		const table = run(['pcap', file('evil.pcap', evil)]);
		assert.doesNotMatch(table.stdout, /[\x00-\x08\x0b-\x1f\x7f]/);
		assert.match(table.stdout, /\\x1b\[2J/);
		const json = run(['pcap', file('evil.pcap', evil), '--json']);
		assert.doesNotMatch(json.stdout, /[\x00-\x08\x0b-\x1f\x7f]/);
		assert.match(JSON.parse(json.stdout).summary, /query 0x0001 A \\x1b\[2J\\x1b\]52;c;aGk=\\x07\.evil/);
	});

	test('an empty capture and a filter that matches nothing say so', () => {
		assert.equal(run(['pcap', file('empty.pcap', g.pcapFile([]))]).stdout, 'no packets\n');
		assert.equal(run(['pcap', layers, '--filter', 'vlan 999']).stdout, `no packets match the filter (of ${layerFrames().length})\n`);
	});
});

describe('netsleuth pcap errors', () => {
	test('a damaged file: the packets before the damage, then one line naming the byte offset, exit code 1', () => {
		const bytes = captures.get('layers-le-usec.pcap')!;
		const cut = file('cut.pcap', bytes.subarray(0, bytes.length - 10));
		const { code, stdout, stderr } = run(['pcap', cut, '--json']);
		assert.equal(code, 1);
		assert.equal(stdout.trimEnd().split('\n').length, layerFrames().length - 1);
		assert.match(stderr, /^netsleuth: \S+cut\.pcap: byte offset \d+: the file ends inside packet record 30: \d+ of its \d+ bytes are there \(after 29 packets\)\n$/);
	});

	test('the corpus\'s damaged pcapng (test901): one packet, then the offset of the bad section', { skip: pcapCorpusPresent ? false : 'the pcap corpus is absent' }, () => {
		const { code, stdout, stderr } = run(['pcap', `${PCAP_DIR}gopacket_pcapng_le_test901.pcapng`, '--json']);
		assert.equal(code, 1);
		assert.equal(stdout.trimEnd().split('\n').length, 1);
		assert.match(stderr, /byte offset 480: unsupported pcapng section version 2\.0 \(after 1 packet\)\n$/);
		assert.equal(stderr.split('\n').length, 2);
	});

	test('a bad filter names its column; a missing file and a non-capture are input errors; no file is a usage error', () => {
		const filter = run(['pcap', layers, '--filter', 'host 10.0.0.1 and port x']);
		assert.equal(filter.code, 1);
		assert.equal(filter.stderr, 'netsleuth: --filter: column 24: expected a port number (0-65535), found "x"\n');
		const missing = run(['pcap', join(tmp, 'nope.pcap')]);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /nope\.pcap: cannot read it \(ENOENT\)/);
		const text = run(['pcap', file('text.pcap', Buffer.from('not a capture at all'))]);
		assert.equal(text.code, 1);
		assert.match(text.stderr, /byte offset 0: not a pcap or pcapng file \(magic number 0x6e6f7420\)/);
		assert.equal(run(['pcap']).code, 2);
	});
});
