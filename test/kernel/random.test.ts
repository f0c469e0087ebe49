import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareWithKernel } from './support/differential.js';
import { randomCase } from './support/random-cases.js';
import { requireKernelOrSkip } from './support/netns.js';

const CASES = Number(process.env.NETSLEUTH_DIFF_CASES ?? 200);
const SEED = Number(process.env.NETSLEUTH_DIFF_SEED ?? 20261125);

test(`random rulesets and packets: netsleuth agrees with the kernel (${CASES} cases, seed ${SEED})`, { timeout: 30 * 60_000 }, async (t) => {
	if (!requireKernelOrSkip(t)) return;
	const failures: string[] = [];
	for (let i = 0; i < CASES; i++) {
		const result = await compareWithKernel(randomCase(SEED + i));
		if (!result.agree) failures.push(result.report);
	}
	const agreed = CASES - failures.length;
	t.diagnostic(`agreement: ${agreed}/${CASES} (${((100 * agreed) / CASES).toFixed(1)}%)`);
	process.stdout.write(`# kernel agreement: ${agreed}/${CASES} cases (${((100 * agreed) / CASES).toFixed(1)}%)\n`);
	assert.equal(failures.length, 0, `${failures.length} of ${CASES} cases disagree:\n\n${failures.slice(0, 5).join('\n\n')}`);
});
