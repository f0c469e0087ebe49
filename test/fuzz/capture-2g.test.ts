import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { REPO } from '../support/paths.js';

/**
 * Issue 7's limit "a 2 GB capture is listed with bounded memory": `netsleuth pcap - --json` reads more
 * than 2 GiB of pcap from a pipe (made here as it is read, nothing on disk) and its peak RSS stays
 * bounded — and flat: the same at 200 MB of input as at 2 GiB.
 */
const BIN = join(REPO, 'bin', 'netsleuth.js');
const TIME = '/usr/bin/time';
const MB = 2 ** 20;

/** 64 packets: full-size TCP segments, DNS queries, IPv6 ACKs, tagged ICMP echoes. */
function block(): Buffer {
	const A = '02:00:00:00:00:0a';
	const B = '02:00:00:00:00:0b';
	const frames: Uint8Array[] = [];
	for (let i = 0; i < 64; i++) {
		const kind = i % 8;
		if (kind < 5) frames.push(g.eth(A, B, 0x0800, g.ipv4('10.0.0.1', `10.0.${i}.2`, 6, g.tcp(40000 + i, 443, new Uint8Array(1400), { flags: 0x18 }))));
		else if (kind === 5) frames.push(g.eth(A, B, 0x0800, g.ipv4('10.0.0.1', '10.0.0.53', 17, g.udp(50000 + i, 53, g.dnsQuery(i, 'www.example.com', 1)))));
		else if (kind === 6) frames.push(g.eth(B, A, 0x86dd, g.ipv6('fd00::1', 'fd00::2', 6, g.tcp(443, 40000 + i, new Uint8Array(0), { flags: 0x10 }))));
		else frames.push(g.eth(A, B, 0x8100, g.vlan(100, 0x0800, g.ipv4('10.1.0.1', '10.1.0.2', 1, g.icmpEcho(8, 1, i)))));
	}
	return Buffer.concat(frames.map((data, i) => g.pcapRecord({ sec: 1_764_000_000, nsec: i * 1000, data })));
}

interface Listed {
	readonly bytes: number;
	readonly packets: number;
	readonly lastN: number;
	readonly rssMb: number;
	readonly seconds: number;
}

/** Pipes at least `megabytes` of capture into `netsleuth pcap - --json` under GNU time; the JSON lines are counted by their last "n". */
async function list(megabytes: number): Promise<Listed> {
	const unit = Buffer.concat(Array.from({ length: 64 }, block));
	const copies = Math.ceil((megabytes * MB) / unit.length);
	const script = `${TIME} -f '%M %e' "$0" "$1" pcap - --json | tail -n 1`;
	const child = spawn('sh', ['-c', script, process.execPath, BIN], { stdio: ['pipe', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
	child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
	const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
	child.stdin.write(g.pcapHeader());
	for (let i = 0; i < copies; i++) {
		if (!child.stdin.write(unit)) await new Promise((resolve) => child.stdin.once('drain', resolve));
	}
	child.stdin.end();
	assert.equal(await closed, 0, stderr);
	const [rssKb, seconds] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number];
	return { bytes: copies * unit.length, packets: copies * 64 * 64, lastN: (JSON.parse(stdout) as { n: number }).n, rssMb: rssKb / 1024, seconds };
}

describe('limits: a capture over 2 GiB listed from a pipe', () => {
	test('pcap - --json: every packet listed, peak RSS under 250 MB and the same at 200 MB as at 2 GiB', { timeout: 180_000 }, async (t) => {
		if (!existsSync(TIME)) return t.skip(`${TIME} is missing: cannot measure the child's peak RSS`);
		const small = await list(200);
		const big = await list(2048);
		for (const run of [small, big]) {
			t.diagnostic(`${(run.bytes / MB).toFixed(0)} MB, ${run.packets} packets: ${run.seconds.toFixed(1)} s, peak RSS ${run.rssMb.toFixed(0)} MB`);
			assert.equal(run.lastN, run.packets, 'the last JSON line is the last packet');
			assert.ok(run.rssMb < 250, `peak RSS ${run.rssMb.toFixed(0)} MB`);
		}
		assert.ok(big.bytes >= 2 * 1024 * MB);
		// Ten times the input, the memory of a few buffers more at most.
		assert.ok(big.rssMb - small.rssMb < 40, `peak RSS ${small.rssMb.toFixed(0)} MB at 200 MB, ${big.rssMb.toFixed(0)} MB at 2 GiB`);
	});
});
