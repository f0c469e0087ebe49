/**
 * `npm run fuzz [-- --minutes N | --inputs N] [--seed S] [--target NAME,…] [--workers N] [--full-seeds]`
 * `npm run fuzz -- --replay FILE --target NAME [--variant V]`
 *
 * Without --minutes or --inputs: 20,000 inputs per parser (as the test suite runs). Prints the figures
 * per parser; exits 1 when an input broke a contract (each one is saved, and named in the output).
 */
import { readFileSync } from 'node:fs';
import { describeFailure, replay, runCampaign, SLOW_MS } from './engine.js';
import { CORPUS, corpusPresent, TARGETS } from './targets.js';

function option(name: string): string | undefined {
	const args = process.argv.slice(2);
	const i = args.indexOf(`--${name}`);
	if (i >= 0) return args[i + 1];
	const eq = args.find((a) => a.startsWith(`--${name}=`));
	return eq?.slice(name.length + 3);
}

const flag = (name: string) => process.argv.includes(`--${name}`);

function usage(message: string): never {
	process.stderr.write(`fuzz: ${message}\nusage: npm run fuzz -- [--minutes N | --inputs N] [--seed S] [--target ${TARGETS.map((t) => t.name).join(',')}] [--workers N] [--full-seeds]\n       npm run fuzz -- --replay FILE --target NAME [--variant V]\n`);
	process.exit(2);
}

function number(name: string): number | undefined {
	const text = option(name);
	if (text === undefined) return undefined;
	const value = Number(text);
	if (!Number.isFinite(value) || value <= 0) usage(`--${name} needs a positive number, got "${text}"`);
	return value;
}

async function main(): Promise<number> {
	const replayFile = option('replay');
	if (replayFile !== undefined) {
		const target = option('target') ?? usage('--replay needs --target');
		process.stdout.write(`${replay(target, readFileSync(replayFile), option('variant') ?? '')}\n`);
		return 0;
	}
	const minutes = number('minutes');
	const inputs = number('inputs');
	if (minutes !== undefined && inputs !== undefined) usage('give --minutes or --inputs, not both');
	const seed = number('seed') ?? (minutes !== undefined ? Date.now() % 2 ** 31 : 7);
	const targets = option('target')?.split(',');
	for (const t of targets ?? []) if (!TARGETS.some((x) => x.name === t)) usage(`unknown target "${t}"`);
	const workers = number('workers') ?? 2;
	if (!corpusPresent) process.stdout.write(`notice: the shared corpus (${CORPUS}) is absent: seeding from the repository's fixtures and generated inputs only\n`);
	const small = !flag('full-seeds') && minutes === undefined;
	process.stdout.write(`fuzzing ${(targets ?? TARGETS.map((t) => t.name)).join(', ')} with seed ${seed}, ${workers} workers, ${minutes !== undefined ? `${minutes} minutes` : `${inputs ?? 20000} inputs per parser`}, ${small ? 'small' : 'full-size'} seeds\n`);
	let last = 0;
	const result = await runCampaign({
		seed, small, workers,
		...(targets ? { targets } : {}),
		...(minutes !== undefined ? { durationMs: minutes * 60_000 } : { inputs: inputs ?? 20000 }),
		progress: (line) => {
			if (line.startsWith('FAIL')) process.stdout.write(`${line}\n`);
			else if (Date.now() - last > 10_000) {
				last = Date.now();
				process.stdout.write(`  … ${line}\n`);
			}
		},
	});
	const rows = result.stats.map((s) => [
		s.name, String(s.seeds), String(s.inputs), String(s.accepted), String(s.rejected), String(s.failures), String(s.messageGaps),
		s.inputs ? `${((1000 * s.totalMs) / s.inputs).toFixed(0)} µs` : '-', `${s.maxMs.toFixed(1)} ms`, String(s.maxMessage),
	]);
	const head = ['parser', 'seeds', 'inputs', 'accepted', 'rejected', 'failures', 'message gaps', 'mean', 'max', 'longest message'];
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
	const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
	const total = result.stats.reduce((n, s) => n + s.inputs, 0);
	process.stdout.write(`\n${line(head)}\n${rows.map(line).join('\n')}\n\n`);
	process.stdout.write(`${total} inputs in ${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round(total / (result.elapsedMs / 1000))}/s); seed ${seed}; slowest input ${Math.max(...result.stats.map((s) => s.maxMs)).toFixed(1)} ms (limit ${SLOW_MS} ms)\n`);
	process.stdout.write(`heap after GC between batches: ${result.heapFirstMb.toFixed(0)}–${result.heapMaxMb.toFixed(0)} MB; peak resident set ${result.rssMaxMb.toFixed(0)} MB\n`);
	const hard = result.failures.filter((f) => f.kind !== 'message');
	const gaps = result.failures.filter((f) => f.kind === 'message');
	if (gaps.length) process.stdout.write(`\nmessage gaps (a rejection not on one line, or not saying where), one input per kind, saved under ${result.outDir}:\n${gaps.map((f) => `- ${describeFailure(f)}`).join('\n')}\n`);
	if (hard.length) process.stdout.write(`\nFAILURES (crash, hang, slow input, bad output, unbounded memory), one input per kind, saved under ${result.outDir}:\n${hard.map((f) => `- ${describeFailure(f)}`).join('\n')}\n`);
	if (hard.length || gaps.length) return 1;
	process.stdout.write('no failures\n');
	return 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
	process.stderr.write(`fuzz: ${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
});
