/**
 * Capture benchmark: generates a 1,000,000-packet mixed capture (bench/out/, never committed), then
 * measures `netsleuth pcap FILE --json > /dev/null` (packets/s and peak RSS, by /usr/bin/time) and, side
 * by side, framing only with netsleuth's reader and with pcap-parser.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/capture.js [PACKETS]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../source/capture/decode/index.js';
import { readWithPcapParser } from '../source/capture/pcap-parser-reader.js';
import { CaptureReader } from '../source/capture/reader.js';
import { writeMixedPcap } from './capture-gen.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `${REPO}bench/out/`;
const packets = Number(process.argv[2] ?? 1_000_000);
const file = `${OUT}mixed-${packets}.pcap`;

mkdirSync(OUT, { recursive: true });
if (!existsSync(file)) {
	const t = performance.now();
	writeMixedPcap(file, packets);
	console.log(`generated ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const size = statSync(file).size;

function rate(n: number, ms: number): string {
	return `${(n / (ms / 1000) / 1e6).toFixed(3)} M packets/s`;
}

async function ownReader(decode: boolean): Promise<[number, number]> {
	const t = performance.now();
	const reader = new CaptureReader();
	let n = 0;
	let layers = 0;
	for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
		reader.feed(chunk as Buffer);
		let f;
		while ((f = reader.next()) !== undefined) {
			n++;
			if (decode) layers += decodeFrame(f).layers.length;
		}
	}
	reader.end();
	if (decode && layers === 0) throw new Error('nothing decoded');
	return [n, performance.now() - t];
}

async function pcapParser(): Promise<[number, number]> {
	const t = performance.now();
	const n = await readWithPcapParser(file, () => {});
	return [n, performance.now() - t];
}

const cli = `${REPO}bin/netsleuth.js`;
const results: string[] = [`capture: ${packets} packets, ${(size / 1e6).toFixed(0)} MB`];
for (const [label, run] of [['framing, netsleuth reader', () => ownReader(false)], ['framing + decoding, netsleuth reader', () => ownReader(true)], ['framing, pcap-parser', pcapParser]] as const) {
	const [n, ms] = await run();
	results.push(`${label}: ${n} packets in ${(ms / 1000).toFixed(2)} s = ${rate(n, ms)}`);
}
// The machine may be shared: report wall time, CPU time (user + system, which load on other cores
// disturbs less) and the load average, and keep the best of five runs.
const runs: { wall: number; cpu: number; kb: number }[] = [];
for (let i = 0; i < 5; i++) {
	const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'node', cli, 'pcap', file, '--json'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
	const last = run.stderr.trim().split('\n').pop() ?? '';
	const [wall, user, sys, kb] = last.split(' ').map(Number) as [number, number, number, number];
	if (run.status !== 0) throw new Error(`netsleuth pcap failed: ${run.stderr}`);
	runs.push({ wall, cpu: user + sys, kb });
	results.push(`netsleuth pcap FILE --json > /dev/null (run ${i + 1}): wall ${wall.toFixed(2)} s = ${rate(packets, wall * 1000)}; cpu ${(user + sys).toFixed(2)} s = ${rate(packets, (user + sys) * 1000)}; peak RSS ${(kb / 1024).toFixed(0)} MB; load ${loadavg()[0]!.toFixed(1)}`);
}
const best = runs.reduce((a, b) => (b.wall < a.wall ? b : a));
results.push(`best wall: ${rate(packets, best.wall * 1000)}; best cpu: ${rate(packets, Math.min(...runs.map((r) => r.cpu)) * 1000)}; highest peak RSS ${(Math.max(...runs.map((r) => r.kb)) / 1024).toFixed(0)} MB`);
try {
	const lines = execFileSync('sh', ['-c', `node ${cli} pcap ${file} --json | wc -l`], { encoding: 'utf8' }).trim();
	results.push(`lines printed: ${lines}`);
} catch {
	// wc missing: not part of the measurement
}
console.log(results.join('\n'));
