import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { REPO } from '../support/paths.js';

/**
 * Issue 7's limits: a 1,000,000-line ruleset loads (time and memory are printed as diagnostics), a pcap
 * record claiming 4 GB is refused at its byte offset, and a chain loop is reported in one line, not
 * followed.
 */
const BIN = join(REPO, 'bin', 'netsleuth.js');
const TIME = '/usr/bin/time';
const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-limits-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
	const t0 = performance.now();
	const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** One line on stderr, "netsleuth: " and no "internal error". */
function assertOneLineError(stderr: string, pattern: RegExp): void {
	const lines = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('netsleuth: warning:'));
	assert.equal(lines.length, 1, `expected one error line, got:\n${stderr}`);
	assert.doesNotMatch(lines[0]!, /internal error/);
	assert.match(lines[0]!, pattern);
}

describe('limits: a 1,000,000-line ruleset', () => {
	const file = join(tmp, 'kube-1m.iptables-save');
	test('loads: parsed, built into a host and traced in a child process (time and memory measured), and through the CLI', { timeout: 300_000 }, (t) => {
		// A child process: its peak memory is the ruleset's alone. kube-proxy's shape, 68,500 services.
		const dist = pathToFileURL(join(REPO, 'dist')).href;
		const script = `
			import { writeFileSync } from 'node:fs';
			const { kubeProxyDump } = await import('${dist}/bench/kube-gen.js');
			const { parseRuleset } = await import('${dist}/source/netfilter/parse.js');
			const { buildHost } = await import('${dist}/source/host/model.js');
			const { tracePacket } = await import('${dist}/source/trace/pipeline.js');
			const { packetFromSpec, parseExpression } = await import('${dist}/source/packet/spec.js');
			const dump = kubeProxyDump(68500);
			const text = dump.text;
			writeFileSync(${JSON.stringify(file)}, text);
			gc();
			const heapBefore = process.memoryUsage().heapUsed;
			let t0 = performance.now();
			let ruleset = parseRuleset(text, { family: 4 });
			const parseMs = performance.now() - t0;
			gc();
			const retainedMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
			let rules = 0;
			for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) rules += chain.rules.length;
			ruleset = undefined;
			t0 = performance.now();
			const host = buildHost({ iptables: text });
			const service = dump.services[dump.services.length - 1];
			const trace = tracePacket(host.model, packetFromSpec(parseExpression([service.proto, '10.0.0.9:40000', '>', service.clusterIP + ':' + service.port, 'in', 'eth0'])));
			const traceMs = performance.now() - t0;
			process.stdout.write(JSON.stringify({ lines: dump.lines, bytes: text.length, rules, parseMs, traceMs, fate: trace.fate, retainedMb, maxRssMb: process.resourceUsage().maxRSS / 1024, service: [service.proto, service.clusterIP, service.port] }));
		`;
		const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
		assert.equal(child.status, 0, child.stderr);
		const m = JSON.parse(child.stdout) as { lines: number; bytes: number; rules: number; parseMs: number; traceMs: number; fate: string; retainedMb: number; maxRssMb: number; service: [string, string, number] };
		t.diagnostic(`${m.lines} lines (${(m.bytes / 2 ** 20).toFixed(0)} MB), ${m.rules} rules: parsed in ${(m.parseMs / 1000).toFixed(2)} s, the parsed ruleset holds ${m.retainedMb.toFixed(0)} MB of heap; buildHost + one trace ${(m.traceMs / 1000).toFixed(2)} s (${m.fate}); peak RSS of the process (generator included) ${m.maxRssMb.toFixed(0)} MB`);
		assert.ok(m.lines >= 1_000_000, `${m.lines} lines`);
		assert.ok(m.rules > 700_000, `${m.rules} rules`);
		assert.ok(m.maxRssMb < 2048, `peak RSS ${m.maxRssMb.toFixed(0)} MB`);
		assert.equal(m.fate, 'delivered');

		const cli = run(['trace', '--rules', file, '--json', m.service[0], '10.0.0.9:40000', '>', `${m.service[1]}:${m.service[2]}`, 'in', 'eth0']);
		t.diagnostic(`netsleuth trace --rules (1,000,000 lines) --json: ${(cli.ms / 1000).toFixed(1)} s`);
		assert.equal(cli.code, 0, cli.stderr);
		assert.equal(JSON.parse(cli.stdout).fate, 'delivered');
	});

	test('show rules --json streams it: peak RSS bounded (time measured)', { timeout: 300_000 }, (t) => {
		if (!existsSync(TIME)) return t.skip(`${TIME} is missing: cannot measure the child's peak RSS`);
		// GNU time writes "%M %e" (peak RSS in KB, seconds) on its own last line of stderr; the JSON goes to a pipe.
		const r = spawnSync('sh', ['-c', `${TIME} -f '%M %e' ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} show rules --json --rules ${JSON.stringify(file)} | wc -c`], { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		const [rssKb, seconds] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number];
		const bytes = Number(r.stdout.trim());
		t.diagnostic(`netsleuth show rules --json (1,000,000 lines): ${(bytes / 2 ** 20).toFixed(0)} MB of JSON in ${seconds.toFixed(1)} s, peak RSS ${(rssKb / 1024).toFixed(0)} MB`);
		assert.ok(bytes > 400 * 2 ** 20, `${bytes} bytes`);
		// Held whole it took 4.4 GB; streamed, the parsed ruleset (≈ 170 MB of heap, the text beside it) is most of it.
		assert.ok(rssKb < 700 * 1024, `peak RSS ${(rssKb / 1024).toFixed(0)} MB`);
	});
});

describe('limits: a pcap record claiming 4 GB', () => {
	const header = (snaplen: number) => {
		const h = Buffer.alloc(24);
		h.writeUInt32LE(0xa1b2c3d4, 0);
		h.writeUInt16LE(2, 4);
		h.writeUInt16LE(4, 6);
		h.writeUInt32LE(snaplen, 16);
		h.writeUInt32LE(1, 20);
		return h;
	};
	const record = (caplen: number, data = Buffer.alloc(0)) => {
		const r = Buffer.alloc(16);
		r.writeUInt32LE(1_700_000_000, 0);
		r.writeUInt32LE(caplen, 8);
		r.writeUInt32LE(caplen, 12);
		return Buffer.concat([r, data]);
	};
	const frame = Buffer.concat([Buffer.from('02000000000b02000000000a0800', 'hex'), Buffer.alloc(46)]);

	test('after one good packet: refused at the record\'s byte offset, the packet before it listed', () => {
		const file = join(tmp, 'claim-4g.pcap');
		writeFileSync(file, Buffer.concat([header(262144), record(frame.length, frame), record(0xffffffff), Buffer.alloc(64)]));
		const r = run(['pcap', file]);
		assert.equal(r.code, 1);
		const offset = 24 + 16 + frame.length;
		assertOneLineError(r.stderr, new RegExp(`byte offset ${offset}: packet record 2 claims 4294967295 captured bytes.*\\(after 1 packet\\)`));
		assert.match(r.stdout, /^│ 1 /m, 'the good packet is listed');
	});

	test('with a 4 GB snapshot length in the file header too: refused at once, not buffered to the end of the file', () => {
		const file = join(tmp, 'claim-4g-snaplen-4g.pcap');
		const fd = openSync(file, 'w');
		writeSync(fd, Buffer.concat([header(0xffffffff), record(0xffffffff)]));
		const chunk = Buffer.alloc(1 << 20, 0x41);
		for (let i = 0; i < 64; i++) writeSync(fd, chunk);
		closeSync(fd);
		const r = run(['pcap', file]);
		assert.equal(r.code, 1);
		assertOneLineError(r.stderr, /byte offset 24: packet record 1 claims 4294967295 captured bytes/);
		assert.ok(r.ms < 10_000, `took ${r.ms.toFixed(0)} ms`);
	});

	test('pcapng: a block and a packet that claim 4 GB are refused at their offsets', () => {
		const le32 = (n: number) => {
			const b = Buffer.alloc(4);
			b.writeUInt32LE(n >>> 0);
			return b;
		};
		const shb = Buffer.concat([le32(0x0a0d0d0a), le32(28), le32(0x1a2b3c4d), Buffer.from([1, 0, 0, 0]), Buffer.alloc(8, 0xff), le32(28)]);
		const idb = Buffer.concat([le32(1), le32(20), Buffer.from([1, 0, 0, 0]), le32(0), le32(20)]);
		const bigBlock = Buffer.concat([le32(6), le32(0xfffffffc), Buffer.alloc(24)]);
		const a = join(tmp, 'block-4g.pcapng');
		writeFileSync(a, Buffer.concat([shb, idb, bigBlock]));
		const ra = run(['pcap', a]);
		assert.equal(ra.code, 1);
		assertOneLineError(ra.stderr, new RegExp(`byte offset ${shb.length + idb.length}: pcapng block of type 0x6 has an impossible length 4294967292`));
		const epb = Buffer.concat([le32(6), le32(32), le32(0), le32(0), le32(0), le32(0xffffffff), le32(0xffffffff), le32(32)]);
		const b = join(tmp, 'packet-4g.pcapng');
		writeFileSync(b, Buffer.concat([shb, idb, epb]));
		const rb = run(['pcap', b]);
		assert.equal(rb.code, 1);
		assertOneLineError(rb.stderr, new RegExp(`byte offset ${shb.length + idb.length}: pcapng packet block claims 4294967295 captured bytes`));
	});
});

describe('limits: a chain loop in a hand-written dump', () => {
	const packet = ['tcp', '10.0.0.9:40000', '>', '10.0.0.1:22', 'in', 'eth0'];
	const loops: [string, string][] = [
		['A → B → A', '*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n'],
		['a chain jumping to itself', '*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n-A INPUT -j A\n-A A -j A\nCOMMIT\n'],
		['a goto loop (-g)', '*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -g A\n-A A -g B\n-A B -g A\nCOMMIT\n'],
		// (the DNAT, never reached, makes the ruleset use conntrack: nat chains are walked)
		['a loop in nat PREROUTING', '*nat\n:PREROUTING ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A PREROUTING -p tcp -j A\n-A A -j B\n-A B -j A\n-A B -j DNAT --to-destination 10.0.0.2\nCOMMIT\n'],
	];
	for (const [name, dump] of loops) {
		test(`${name}: reported in one line with exit 1, not followed`, () => {
			const file = join(tmp, `${name.replace(/\W+/g, '-')}.rules`);
			writeFileSync(file, dump);
			for (const json of [false, true]) {
				const r = run(['trace', '--rules', file, ...(json ? ['--json'] : []), ...packet]);
				assert.equal(r.code, 1, r.stderr);
				assert.equal(r.stdout, '');
				assertOneLineError(r.stderr, /^netsleuth: chain loop: .*(A → B → A|A → A)\b.*line \d+/);
				assert.ok(r.ms < 10_000, `took ${r.ms.toFixed(0)} ms`);
			}
			// Listing the rules does not follow jumps: it works.
			assert.equal(run(['show', 'rules', '--rules', file]).code, 0);
		});
	}
});
