import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRuleset } from '../../source/netfilter/parse.js';
import { formatRule, type Ruleset } from '../../source/netfilter/ruleset.js';
import { ParseError } from '../../source/netfilter/tokens.js';
import { CORPUS, corpusPresent } from '../support/paths.js';

/** What the real iptables-restore said of each file, from the corpus's SOURCES.md. */
function verdicts(): Map<string, { accepted: boolean; errorLine?: number }> {
	const map = new Map<string, { accepted: boolean; errorLine?: number }>();
	for (const line of readFileSync(join(CORPUS, 'SOURCES.md'), 'utf8').split('\n')) {
		const cells = line.split('|').map((c) => c.trim());
		if (!cells[1]?.startsWith('iptables/')) continue;
		const validation = cells[7] ?? '';
		const accepted = /nft: PASS|legacy: PASS/.test(validation);
		const at = /Error occurred at line: (\d+)/.exec(validation);
		map.set(cells[1].slice('iptables/'.length), { accepted, ...(at ? { errorLine: Number(at[1]) } : {}) });
	}
	return map;
}

test('every corpus ruleset iptables-restore accepts loads; the others warn at or are refused at the line it names', { skip: corpusPresent ? false : 'no ../shared/corpus beside this clone: corpus tests skipped' }, () => {
	const known = verdicts();
	const files = readdirSync(join(CORPUS, 'iptables'));
	assert.ok(files.length > 30);
	let loaded = 0;
	let rules = 0;
	for (const file of files) {
		const text = readFileSync(join(CORPUS, 'iptables', file), 'utf8');
		const verdict = known.get(file);
		assert.ok(verdict, `${file} is not described in SOURCES.md`);
		let ruleset: Ruleset | undefined;
		let error: ParseError | undefined;
		try {
			ruleset = parseRuleset(text, { family: file.includes('ip6tables') ? 6 : 4, origin: file });
		} catch (e) {
			if (!(e instanceof ParseError)) throw e;
			error = e;
		}
		if (verdict.accepted) {
			assert.ok(ruleset, `${file}: iptables-restore accepts it, netsleuth refused it at ${error?.line}:${error?.column}: ${error?.reason}`);
		} else if (error) {
			assert.ok(error.line > 0 && error.column > 0, file);
			if (verdict.errorLine !== undefined) assert.equal(error.line, verdict.errorLine, `${file}: refused at another line than iptables-restore (${error.reason})`);
		} else {
			const lines = ruleset!.warnings.map((w) => w.line);
			if (verdict.errorLine !== undefined) assert.ok(lines.includes(verdict.errorLine), `${file}: loaded without a warning at line ${verdict.errorLine}, where iptables-restore stops (warnings at ${lines.join(', ')})`);
			else assert.ok(lines.length > 0, `${file}: not restore input, yet loaded without a warning`);
		}
		if (!ruleset) continue;
		loaded++;
		const source = text.split('\n');
		for (const table of ruleset.tables.values()) {
			for (const chain of table.chains.values()) {
				for (const rule of chain.rules) {
					rules++;
					const written = source[rule.line - 1]!.replace(/\r$/, '').trim();
					if (/^(\[\d+:\d+\] )?-A /.test(written)) assert.equal(formatRule(rule), written, `${file}:${rule.line} does not print back as written`);
				}
			}
		}
	}
	assert.ok(loaded >= 30, `only ${loaded} files loaded`);
	assert.ok(rules > 10000, `only ${rules} rules`);
});
