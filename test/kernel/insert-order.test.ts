import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { prng } from '../../bench/kube-gen.js';
import { parseRuleset } from '../../source/netfilter/parse.js';
import { ParseError } from '../../source/netfilter/tokens.js';
import { createNamespace, deleteNamespace, NS_PREFIX, requireKernelOrSkip, run } from './support/netns.js';

/**
 * Rule order from -A, -I and -I N (the parser keeps head insertions apart and puts them in front at the
 * end, so that files of 200,000 -I lines load in linear time): random mixes restored by iptables-restore
 * in a namespace of our own, read back with iptables-save, and compared with the parsed chains. Numbers
 * iptables refuses (0, more than one past the last rule) must be refused at the same line.
 */

const NS = `${NS_PREFIX}${process.pid}-insert`;
let made = false;
after(() => {
	if (made) deleteNamespace(NS);
});

/**
 * A restore file of `count` commands on chains X and Y, each rule named by its source address; with
 * `bad`, one -I N has a number iptables refuses. (One only: iptables-nft reports a 0 as it reads the file,
 * a number too big when it applies it, so with two it may name the later line.)
 */
function mix(random: () => number, count: number, bad: boolean): string {
	const lines = ['*filter', ':X - [0:0]', ':Y - [0:0]'];
	const sizes = { X: 0, Y: 0 };
	const badAt = bad ? Math.floor(random() * count) : -1;
	for (let i = 0; i < count; i++) {
		const chain = random() < 0.7 ? 'X' : 'Y';
		const rule = `-s 10.${i >> 8}.${i & 255}.1/32 -j ACCEPT`;
		const r = random();
		if (r < 0.3 && i !== badAt) {
			lines.push(`-A ${chain} ${rule}`);
			sizes[chain]++;
		} else if (r < 0.6 && i !== badAt) {
			lines.push(`-I ${chain} ${rule}`);
			sizes[chain]++;
		} else {
			// Mostly the head or one past the end (the parser's two quick cases), else anywhere between.
			const choice = random();
			let number = choice < 0.3 ? 1 : choice < 0.5 ? sizes[chain] + 1 : 1 + Math.floor(random() * (sizes[chain] + 1));
			if (i === badAt) number = random() < 0.5 ? 0 : sizes[chain] + 2;
			lines.push(`-I ${chain} ${number} ${rule}`);
			sizes[chain]++;
		}
	}
	lines.push('COMMIT', '');
	return lines.join('\n');
}

/** What the kernel holds after restoring `text`: each chain's sources in order, or the line it refused. */
function kernelOrder(text: string): { X: string[]; Y: string[] } | { refusedAt: number } {
	const restore = spawnSync('ip', ['netns', 'exec', NS, 'iptables-restore'], { input: text, encoding: 'utf8' });
	if (restore.status !== 0) {
		const line = /line:? (\d+)/.exec(restore.stderr);
		assert.ok(line, `iptables-restore failed without a line: ${restore.stderr}`);
		return { refusedAt: Number(line[1]) };
	}
	const saved = run('ip', ['netns', 'exec', NS, 'iptables-save', '-t', 'filter']);
	const order = { X: [] as string[], Y: [] as string[] };
	for (const m of saved.matchAll(/^-A ([XY]) -s (\S+)\/32/gm)) order[m[1] as 'X' | 'Y'].push(m[2]!);
	return order;
}

function parsedOrder(text: string): { X: string[]; Y: string[] } | { refusedAt: number } {
	try {
		const chains = parseRuleset(text).tables.get('filter')!.chains;
		const sources = (name: string) => chains.get(name)!.rules.map((rule) => /-s (\S+)\/32/.exec(rule.text)![1]!);
		return { X: sources('X'), Y: sources('Y') };
	} catch (error) {
		if (error instanceof ParseError) return { refusedAt: error.line };
		throw error;
	}
}

describe('rule order of -A, -I and -I N', () => {
	test('random mixes: the parsed chains are what iptables-restore builds (fixed seed)', (t) => {
		if (!requireKernelOrSkip(t)) return;
		createNamespace(NS);
		made = true;
		const random = prng(606);
		let refused = 0;
		for (let round = 0; round < 40; round++) {
			const text = mix(random, 5 + Math.floor(random() * 120), round % 4 === 3);
			const kernel = kernelOrder(text);
			if ('refusedAt' in kernel) refused++;
			assert.deepEqual(parsedOrder(text), kernel, `round ${round}:\n${text}`);
			run('ip', ['netns', 'exec', NS, 'iptables', '-F']);
		}
		assert.ok(refused > 0 && refused < 20, `${refused} of 40 files refused`);
	});
});
