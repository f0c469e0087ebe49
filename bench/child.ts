/**
 * The in-process cases, each run in a fresh node process by bench/run.ts (so every run starts cold, as
 * the CLI does). Prints one JSON line: { ms, cpuMs, rssKB, ... }.
 *
 *   node dist/bench/child.js parse|parse-eager FILE
 *   node dist/bench/child.js trace FILE PACKETS.json BATCH RUNS [--json]
 */
import { readFileSync } from 'node:fs';
import { decodeText } from '../source/host/decode-text.js';
import { buildHost } from '../source/host/model.js';
import { parseRuleset } from '../source/netfilter/parse.js';
import { packetFromSpec } from '../source/packet/spec.js';
import { tracePacket } from '../source/trace/pipeline.js';

function cpuMs(): number {
	const u = process.resourceUsage();
	return (u.userCPUTime + u.systemCPUTime) / 1000;
}

const [mode, file] = process.argv.slice(2);
if (mode === 'parse' || mode === 'parse-eager') {
	// parse: as the CLI reads and parses a file (common rules built when first looked at); parse-eager: every rule built now.
	const c0 = cpuMs();
	const t0 = performance.now();
	const ruleset = parseRuleset(decodeText(readFileSync(file!)), { origin: file!, lazy: mode === 'parse' });
	const ms = performance.now() - t0;
	let rules = 0;
	for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) rules += chain.rules.length;
	console.log(JSON.stringify({ ms, cpuMs: cpuMs() - c0, rssKB: process.resourceUsage().maxRSS, rules }));
} else if (mode === 'trace') {
	const [, , packetsFile, batchText, runsText, json] = process.argv.slice(2);
	const host = buildHost({ iptables: readFileSync(file!, 'utf8') }).model;
	const specs = JSON.parse(readFileSync(packetsFile!, 'utf8')) as Record<string, string>[];
	const packets = specs.map((s) => packetFromSpec(s));
	const batch = Number(batchText);
	const runs = Number(runsText);
	const withJson = json === '--json';
	let sink = 0;
	const once = (offset: number): number => {
		const t0 = performance.now();
		for (let i = 0; i < batch; i++) {
			const trace = tracePacket(host, packets[(offset + i) % packets.length]!);
			sink += withJson ? JSON.stringify(trace).length : trace.steps.length;
		}
		return (performance.now() - t0) / batch;
	};
	once(0); // warm-up
	const samples: number[] = [];
	for (let r = 0; r < runs; r++) samples.push(once((r + 1) * batch));
	console.log(JSON.stringify({ samples, rssKB: process.resourceUsage().maxRSS, sink }));
} else {
	console.error('usage: child.js parse|parse-eager FILE | trace FILE PACKETS.json BATCH RUNS [--json]');
	process.exitCode = 2;
}
