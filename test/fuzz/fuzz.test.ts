import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CampaignResult, describeFailure, runCampaign } from '../../bench/fuzz/engine.js';
import { CORPUS, corpusPresent, TARGETS } from '../../bench/fuzz/targets.js';

/**
 * The bounded fuzz run of issue 7: 20,000 mutants per parser at a fixed seed, small seeds, two worker
 * threads (≈ 65 s of CPU: about 35 s on two idle cores). A failing input is saved to a temp file that the
 * failure names; `npm run fuzz -- --replay FILE --target NAME --variant V` runs it again.
 */
const INPUTS = 20_000;
const SEED = 20251125;

describe(`fuzz: ${INPUTS} mutated inputs per parser (seed ${SEED})`, () => {
	let result: CampaignResult;
	before(async () => {
		result = await runCampaign({ seed: SEED, small: true, inputs: INPUTS, workers: 2, outDir: mkdtempSync(join(tmpdir(), 'netsleuth-fuzz-test-')) });
	});
	// The saved inputs stay only when some failed (the failures name them).
	after(() => {
		if (result && result.failures.length === 0) rmSync(result.outDir, { recursive: true, force: true });
	});

	test('seeds: the shared corpus when it is there, the fixtures and generated inputs always', (t) => {
		if (!corpusPresent) t.diagnostic(`the shared corpus (${CORPUS}) is absent: seeded from fixtures and generated inputs only`);
		assert.equal(result.corpus, corpusPresent);
		for (const s of result.stats) assert.ok(s.seeds > 0, `${s.name} has no seeds`);
		const total = result.stats.reduce((n, s) => n + s.inputs, 0);
		t.diagnostic(`${total} inputs in ${(result.elapsedMs / 1000).toFixed(1)} s; heap after GC ${result.heapFirstMb.toFixed(0)}–${result.heapMaxMb.toFixed(0)} MB; peak RSS ${result.rssMaxMb.toFixed(0)} MB`);
	});

	for (const target of TARGETS) {
		test(`${target.name}: no crash, hang, input over 1 s, broken output or unbounded memory`, (t) => {
			const stats = result.stats.find((s) => s.name === target.name)!;
			t.diagnostic(`${stats.inputs} inputs: ${stats.accepted} accepted, ${stats.rejected} rejected; slowest ${stats.maxMs.toFixed(1)} ms`);
			assert.ok(stats.inputs >= INPUTS, `only ${stats.inputs} inputs ran`);
			const failures = result.failures.filter((f) => f.target === target.name && f.kind !== 'message');
			assert.equal(stats.failures, 0, `${stats.failures} input(s) broke ${target.name}'s contract; one per kind:\n${failures.map(describeFailure).join('\n')}`);
		});

		test(`${target.name}: every rejection is one line without control characters, bounded, and says where`, () => {
			const stats = result.stats.find((s) => s.name === target.name)!;
			const gaps = result.failures.filter((f) => f.target === target.name && f.kind === 'message');
			assert.equal(stats.messageGaps, 0, `one per kind:\n${gaps.map(describeFailure).join('\n')}`);
		});
	}

	test('memory: the heap after GC stays flat from batch to batch', () => {
		assert.ok(result.heapMaxMb - result.heapFirstMb < 128, `heap after GC grew from ${result.heapFirstMb.toFixed(0)} to ${result.heapMaxMb.toFixed(0)} MB`);
		assert.equal(result.failures.filter((f) => f.kind === 'memory').length, 0);
	});
});
