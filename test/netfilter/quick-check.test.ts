import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { kubeProxyDump, prng } from '../../bench/kube-gen.js';
import { formatCidr } from '../../source/packet/address.js';
import { BUILT_KEPT, parseRuleset, quickExactDestination, targetName } from '../../source/netfilter/parse.js';
import { Backslashes, quickCheck } from '../../source/netfilter/quick-check.js';
import type { Rule, Ruleset } from '../../source/netfilter/ruleset.js';
import { ParseError } from '../../source/netfilter/tokens.js';
import { CORPUS, corpusPresent } from '../support/paths.js';

/**
 * Rules the quick reader (quick-check.ts) vouches for are parsed when first looked at. That must change
 * nothing: the same errors (line, column, words), the same warnings, and rules that are, field by field,
 * the ones the full parser builds at once. Checked on kube-proxy dumps, the corpus, and thousands of
 * randomly damaged kube-proxy lines.
 */

/** Everything a rule is, read through its public fields (lazily parsed rules parse here). */
function view(ruleset: Ruleset): unknown {
	const tables: unknown[] = [];
	for (const table of ruleset.tables.values()) {
		const chains: unknown[] = [];
		for (const chain of table.chains.values()) {
			chains.push({
				name: chain.name, builtin: chain.builtin, policy: chain.policy, counters: chain.counters, line: chain.line,
				rules: chain.rules.map((r) => ({
					table: r.table, chain: r.chain, line: r.line, text: r.text, counters: r.counters, basic: r.basic, tokens: r.tokens,
					matches: r.matches.map((m) => ({ name: m.name, extension: m.extension?.name, options: m.options, uses: m.uses, tokens: m.tokens })),
					target: r.target && { name: r.target.name, goto: r.target.goto, extension: r.target.extension?.name, options: r.target.options, tokens: r.target.tokens },
				})),
			});
		}
		tables.push({ name: table.name, line: table.line, chains });
	}
	return { family: ruleset.family, origin: ruleset.origin, warnings: ruleset.warnings, usesConntrack: ruleset.usesConntrack, tables };
}

/** Plain data for comparison: functions in options (closures made per parse) compare by their source. */
function plain(value: unknown, seen = new Set<unknown>()): unknown {
	if (typeof value === 'function') return `function ${value.toString()}`;
	if (typeof value !== 'object' || value === null) return value;
	if (seen.has(value)) return '(cycle)';
	seen.add(value);
	const out: unknown = Array.isArray(value) ? value.map((v) => plain(v, seen))
		: value instanceof Map ? [...value].map(([k, v]) => [k, plain(v, seen)])
		: value instanceof Set ? [...value].map((v) => plain(v, seen))
		: value instanceof RegExp ? String(value)
		: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, seen)]));
	seen.delete(value);
	return out;
}

function outcome(text: string, lazy: boolean, family: 4 | 6 = 4): unknown {
	let ruleset: Ruleset;
	try {
		ruleset = parseRuleset(text, { lazy, family });
	} catch (error) {
		if (error instanceof ParseError) return { error: error.reason, line: error.line, column: error.column };
		throw error;
	}
	// Outside the try: a rule that fails only when it is looked at is a failure of this test.
	return plain(view(ruleset));
}

function assertSame(text: string, family: 4 | 6 = 4, what = ''): void {
	assert.deepStrictEqual(outcome(text, true, family), outcome(text, false, family), `${what}\n${text}`);
}

/** One word of damage: what a hand edit, a bad tool or a newer iptables might leave in a line. */
function damage(line: string, random: () => number): string {
	const words = line.split(' ');
	const at = Math.floor(random() * words.length);
	const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
	switch (Math.floor(random() * 16)) {
		case 0: words.splice(at, 1); break;
		case 1: words.splice(at, 0, words[at]!); break;
		case 2: words.splice(at, 0, '!'); break;
		case 3: words[at] = words[at]!.replace(/\d+/, pick(['999', '256', '65536', '0', '00', '01', '-1', '33', '1e3'])); break;
		case 4: words[at] = `"${words[at]}"`; break;
		case 5: words[at] = words[at]!.replace(/^-/, '--'); break;
		case 6: words.splice(at, 0, pick(['-i', '-o', '-f', '-c', '-4', '-6', '-g', '--dport', '--sport', '-m', '-j', '-p', '-s', '-d'])); break;
		case 7: words[at] = pick(['DNAT', 'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'MARK', 'KUBE-NOPE', 'KUBE-MARK-MASQ', 'PREROUTING', 'LOG', 'tcp', 'udp', 'icmp', 'sctp', 'comment', 'statistic', 'TCP']); break;
		case 8: words[at] = `${words[at]}\t`; break;
		case 9: return `${words.join(' ')} `;
		case 10: words.splice(at, 0, ''); break;
		case 11: words[at] = words[at]!.replace(/.$/, pick(['\\', '"', '/', ':', ',', '-', '.', 'x'])); break;
		case 12: words.push(pick(['--random', '--to-destination 1.2.3.4:80', '-j ACCEPT', '--comment x', 'extra', '--dport 80', '--mode nth'])); break;
		case 13: words[at] = pick(['--dpor', '--destination-port', '--to', '--probability', '--mode', '--comment', '--to-destination', '--sport']); break;
		case 14: words[at] = words[at]!.replace(/\./g, pick([':', '..', ''])); break;
		default: return `${words.slice(0, at).join(' ')}  ${words.slice(at).join(' ')}`;
	}
	return words.join(' ');
}

describe('quick reader: lazily parsed rules are exactly the fully parsed ones', () => {
	test('kube-proxy dumps', () => {
		const dump = kubeProxyDump(300, 11);
		assertSame(dump.text);
		// The quick reader takes most of it.
		const text = dump.text;
		const ruleset = parseRuleset(text);
		const nat = ruleset.tables.get('nat')!;
		const lines = text.split('\n').filter((l) => l.startsWith('-A KUBE-SE'));
		const quick = lines.filter((l) => quickCheck(l, nat, 4) !== undefined).length;
		assert.ok(quick > 0.9 * lines.length, `${quick} of ${lines.length} KUBE-SERVICES/KUBE-SEP lines read quickly`);
	});
	test(`past ${BUILT_KEPT.fresh} rules built up to three times, or ${BUILT_KEPT.again} built more often, the oldest are let go and built again the same`, () => {
		const text = kubeProxyDump(1700, 13).text;
		const ruleset = parseRuleset(text);
		const all = [...ruleset.tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules));
		// Rules the quick reader took (the others are built at load and kept).
		const lazy = all.filter((r) => r.text.startsWith('-A KUBE-SEP-'));
		assert.ok(lazy.length > BUILT_KEPT.again + 4 * BUILT_KEPT.fresh, `${lazy.length} rules`);
		const first = lazy[0]!;
		const words = (r: Rule): unknown => plain({ basic: r.basic, matches: r.matches, target: r.target, tokens: r.tokens });
		const before = words(first);
		const matches = first.matches;
		const { fresh, again: kept } = BUILT_KEPT;
		for (const rule of lazy.slice(1, 1 + fresh)) void rule.basic;
		// Let go (another object now), and the same rule when built again; let go again.
		assert.notEqual(first.matches, matches);
		assert.deepStrictEqual(words(first), before);
		const second = first.matches;
		for (const rule of lazy.slice(1 + fresh, 1 + 2 * fresh)) void rule.basic;
		assert.notEqual(first.matches, second);
		// Built a third time, it outlives as many rules built once…
		const again = first.matches;
		for (const rule of lazy.slice(1 + 2 * fresh, 1 + 3 * fresh)) void rule.basic;
		assert.equal(first.matches, again);
		// …but not as many built a third time: these are built and let go (by more built after them) twice, and built again.
		const pool = lazy.slice(1 + 3 * fresh, 1 + 3 * fresh + kept);
		const others = lazy.slice(1 + 3 * fresh + kept, 1 + 4 * fresh + kept);
		for (let round = 0; round < 2; round++) {
			for (const rule of pool) void rule.basic;
			for (const rule of others) void rule.basic;
		}
		assert.equal(first.matches, again);
		for (const rule of pool) void rule.basic;
		assert.notEqual(first.matches, again);
		assert.deepStrictEqual(words(first), before);
		// The last ones built are still held.
		const last = lazy[lazy.length - 1]!;
		const recent = last.matches;
		void lazy[lazy.length - 2]!.basic;
		assert.equal(last.matches, recent);
		// And a whole ruleset read after that is what the full parser builds.
		assert.deepStrictEqual(plain(view(ruleset)), outcome(text, false));
	});
	test('the corpus', { skip: !corpusPresent && 'no corpus beside the clone' }, () => {
		const dir = join(CORPUS, 'iptables');
		for (const name of readdirSync(dir)) {
			const text = readFileSync(join(dir, name), 'utf8');
			assertSame(text, name.includes('ip6') ? 6 : 4, name);
		}
	});
	test('randomly damaged kube-proxy lines (fixed seed)', () => {
		const random = prng(424242);
		const dump = kubeProxyDump(60, 12);
		const lines = dump.text.split('\n');
		const natStart = lines.indexOf('*nat');
		const declarations = lines.slice(natStart + 1).filter((l) => l.startsWith(':'));
		const rules = lines.slice(natStart + 1).filter((l) => l.startsWith('-A '));
		let checked = 0;
		for (let i = 0; i < 2500; i++) {
			let line = rules[Math.floor(random() * rules.length)]!;
			const times = 1 + Math.floor(random() * 2);
			for (let k = 0; k < times; k++) line = damage(line, random);
			const table = random() < 0.8 ? 'nat' : 'filter';
			const text = `*${table}\n${declarations.join('\n')}\n${line}\n${random() < 0.1 ? ':DNAT - [0:0]\n:ACCEPT - [0:0]\n' : ''}COMMIT\n`;
			assertSame(text, 4, `damaged line ${i}`);
			checked++;
		}
		assert.equal(checked, 2500);
	});
	test('every kind of value the quick reader judges, one change at a time', () => {
		const templates = [
			'-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/svc:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-A',
			'-A KUBE-SVC-A ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p udp -m comment --comment "ns/svc:dns cluster IP" -m udp --dport 53 -j KUBE-MARK-MASQ',
			'-A KUBE-SVC-A -m comment --comment "ns/svc:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A',
			'-A KUBE-SEP-A -s 10.244.1.5/32 -m comment --comment ns/svc:http -j KUBE-MARK-MASQ',
			'-A KUBE-SEP-A -p tcp -m comment --comment "ns/svc:http" -m tcp -j DNAT --to-destination 10.244.1.5:8080',
			'-A KUBE-NODEPORTS -p tcp -m comment --comment "ns/svc:http" -m tcp --sport 1024 --dport 30080 -j ACCEPT',
			'-A KUBE-SERVICES -d 10.96.0.11 -j RETURN',
			'-A KUBE-SEP-A -p tcp -j DNAT --to-destination 10.244.1.5:8080',
			'-A KUBE-SERVICES -d 10.96.0.12/32 -p tcp -m comment --comment "ns/svc:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
		];
		const changes: [RegExp, string[]][] = [
			[/\b(80|53|30080|1024|8080)\b/, ['0', '65535', '65536', '99999', '080', '00080', '1e3', '-1', '', '80:90', 'http', ':80', '0x50']],
			[/10\.96\.0\.1[01]/, ['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', '::1', '10.96.0.10/32/1', '1.2.3.-4', '10.96.0.10 ', '0.0.0.0']],
			[/\/(32|16)\b/, ['/33', '/0', '/255.255.0.0', '/', '/032', '/3x', '/128', '/8']],
			[/0\.33333333349/, ['1.5', '1.0', '1.00001', '.5', '0.5e-3', '2', '0', '1', '0.', '00.5', '-0.5', '0.5.5']],
			[/"ns\/svc:[^"]*"|ns\/svc:http\b/, [`"${'x'.repeat(255)}"`, `"${'x'.repeat(256)}"`, 'x'.repeat(256), '"a \\"b\\""', '"a\\b"', '""', '"', '"a"b', '-x', '!', '"-x"', 'a"b', '"a" "b"', 'a\tb', '"a\tb"', '"a"\tb', 'x\t']],
			[/-p (tcp|udp)/, ['-p udp', '-p tcp', '-p TCP', '-p icmp', '-p 6', '! -p tcp', '-p all', '']],
			[/ -p (tcp|udp)/, ['', ' -p icmp -p tcp']],
			[/ -m (tcp|udp)/, ['']],
			[/-m (tcp|udp)/, ['-m udp', '-m tcp', '-m TCP', '', '-m tcp -m tcp', '-m multiport']],
			[/-j [A-Z-]+/, ['-j DNAT --to-destination 1.2.3.4', '-j REJECT', '-j REJECT --reject-with icmp-port-unreachable', '-j DROP', '-j PREROUTING', '-j KUBE-NOPE', '-g KUBE-SVC-A', '-j ACCEPT --x', '-j RETURN', '-j ACCEPT', '-j KUBE-SEP-A extra', '-j']],
			[/--reject-with \S+/, ['--reject-with icmp-port-unreachable', '--reject-with icmp-port-unreach', '--reject-with tcp-reset', '--reject-with', '--reject-with icmp-port-unreachable --reject-with icmp-port-unreachable', '--reject-with icmp-port-unreachable x', '', '--reject icmp-port-unreachable', '! --reject-with icmp-port-unreachable']],
			[/--to-destination \S+/, ['--to-destination 10.244.1.5', '--to-destination 10.244.1.5:', '--to-destination 10.244.1.5:99999', '--to-destination 10.244.1.5-10.244.1.6:80', '--to-destination [::1]:80', '--to-dest 10.244.1.5:80', '--to-destination 10.244.1.5:80 --random']],
			[/--dport/, ['--dport 81 --dport', '--destination-port', '--dpo', '! --dport', '--sport 1 --sport']],
			[/-s /, ['-s 1.2.3.4 -s ', '--source ', '! ! -s ', '-s ! ']],
			[/-d /, ['-d 1.2.3.4 -d ', '--destination ', '-d ! ', '! -d ']],
			[/ -j /, [' -j\t', '\t-j ']],
			[/ -d /, [' -d\t', ' -d 10.96.0.1\t-d ']],
			[/ -m comment/, [' -m comment --comment x -m comment', '  -m comment', '\t-m comment', ' -m comm', ' -m comment -m comment']],
			[/--mode random/, ['--mode nth', '--mode random --mode random', '--mode', '--probability 0.5 --mode random']],
			[/$/, [' ', ' -j ACCEPT', ' -c 1 2', ' -4', ' -i eth0', ' --dport 80']],
		];
		let checked = 0;
		for (const template of templates) {
			for (const [pattern, replacements] of changes) {
				if (!pattern.test(template)) continue;
				for (const replacement of replacements) {
					const line = template.replace(pattern, replacement);
					for (const table of ['nat', 'filter']) {
						const chains = ['KUBE-SERVICES', 'KUBE-SVC-A', 'KUBE-SEP-A', 'KUBE-MARK-MASQ', 'KUBE-NODEPORTS'].map((c) => `:${c} - [0:0]`).join('\n');
						assertSame(`*${table}\n:${table === 'nat' ? 'PREROUTING' : 'INPUT'} ACCEPT [0:0]\n${chains}\n${line}\nCOMMIT\n`, 4, line);
						checked++;
					}
				}
			}
		}
		assert.ok(checked > 300, `${checked} changed lines`);
	});
	test('the exact destination the chain index reads from a quickly read line is the built rule’s', () => {
		const text = `${kubeProxyDump(200, 13).text}*filter\n:X - [0:0]\n-A X -d 10.0.0.1 -j ACCEPT\n-A X ! -d 10.0.0.2/32 -j ACCEPT\n-A X -d 10.0.0.0/24 -j ACCEPT\n-A X -s 1.2.3.4 -d 10.0.0.3/32 -j ACCEPT\n-A X -d 10.0.0.4/32 -s 1.2.3.4 -j ACCEPT\n-A X -d 10.0.0.5/3 -j ACCEPT\n-A X -d 0.0.0.0/32 -j RETURN\nCOMMIT\n`;
		let hints = 0;
		let lazy = 0;
		for (const table of parseRuleset(text).tables.values()) {
			for (const chain of table.chains.values()) {
				for (const rule of chain.rules) {
					const quick = quickExactDestination(rule);
					if (quick === undefined) continue;
					lazy++;
					const { source, destination } = rule.basic;
					const exact = !source && destination && !destination.negated && destination.value.prefix === 32 ? formatCidr(destination.value) : null;
					assert.equal(quick === null ? null : `${quick}/32`, exact, rule.text);
					if (quick) hints++;
				}
			}
		}
		assert.ok(lazy > 500 && hints > 200, `${lazy} quickly read rules, ${hints} with an exact destination`);
	});
	test('the target name read from a quickly read line is the built rule’s', () => {
		const extra = '*nat\n:X - [0:0]\n:Y - [0:0]\n-A X -d 10.0.0.1/32\n-A X -m comment --comment "to -j Y" -j Y\n-A X -m comment --comment "a -j Y"\n-A X -p tcp -j DNAT --to-destination 10.0.0.2:80\n-A X -j RETURN\n-A X -s 10.0.0.3 -j ACCEPT\nCOMMIT\n';
		const text = `${kubeProxyDump(200, 14).text}${extra}`;
		const eager = parseRuleset(text, { lazy: false });
		let lazy = 0;
		for (const table of parseRuleset(text).tables.values()) {
			for (const chain of table.chains.values()) {
				chain.rules.forEach((rule, k) => {
					if (quickExactDestination(rule) !== undefined) lazy++;
					assert.equal(targetName(rule), eager.tables.get(table.name)!.chains.get(chain.name)!.rules[k]!.target?.name, rule.text);
				});
			}
		}
		assert.ok(lazy > 500, `${lazy} quickly read rules`);
	});
	test('a target name declared as a chain later keeps the meaning it had when the line was read', () => {
		const text = '*nat\n:PREROUTING ACCEPT [0:0]\n:X - [0:0]\n-A X -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n-A X -j ACCEPT\n:DNAT - [0:0]\n:ACCEPT - [0:0]\nCOMMIT\n';
		assertSame(text);
		const rules = parseRuleset(text).tables.get('nat')!.chains.get('X')!.rules;
		assert.equal(rules[0]!.target?.extension?.name, 'DNAT');
		assert.equal(rules[1]!.target?.extension?.name, 'ACCEPT');
	});
	test('rules kept as numbers until asked for: chains whose runs are broken, built rules between quick ones, insertions, chains made by -N or a first rule, tables opened twice', () => {
		const sep = (n: number) => `-A KUBE-SEP-${n} -p tcp -m comment --comment "ns/s${n}:http" -m tcp -j DNAT --to-destination 10.244.0.${n}:8080`;
		const text = [
			'*nat', ':PREROUTING ACCEPT [0:0]', ':KUBE-SEP-1 - [0:0]', ':KUBE-SEP-2 - [0:0]', ':KUBE-SVC-A - [0:0]', ':KUBE-MARK-MASQ - [0:0]',
			sep(1), sep(2), sep(1), // the run of KUBE-SEP-1 broken by KUBE-SEP-2
			'-A KUBE-SEP-2 -j MARK --set-xmark 0x4000/0x4000', sep(2), // a built rule between quick ones
			'-I KUBE-SEP-1 -m comment --comment first -j KUBE-MARK-MASQ', '-I KUBE-SEP-1 2 -p udp -j ACCEPT', sep(1),
			'-A PREROUTING -j KUBE-SVC-A', // a built-in chain declared with its policy, as -A chain
			'-A OUTPUT -j KUBE-SVC-A', '-A OUTPUT -d 10.96.0.1/32 -j KUBE-SEP-1', // a built-in chain made by its first rule
			'-N KUBE-NEW', '-A KUBE-SVC-A -j KUBE-NEW', '-A KUBE-NEW -j KUBE-SEP-2', '-A KUBE-SVC-A -j OUTPUT', '-A KUBE-SVC-A -j KUBE-NOPE',
			':KUBE-SEP-1 - [0:0]', ':KUBE-LATE - [0:0]', '-A KUBE-LATE -j KUBE-SEP-1', '-A KUBE-SVC-A -j KUBE-LATE',
			'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', ':X - [0:0]', '-A INPUT -j X', 'COMMIT',
			'*nat', ':KUBE-SEP-3 - [0:0]', sep(3), '-A KUBE-SEP-1 -j KUBE-SEP-3', sep(1), 'COMMIT', '',
		].join('\n');
		assertSame(text);
		const nat = parseRuleset(text).tables.get('nat')!;
		const lazy = (name: string) => nat.chains.get(name)!.rules.filter((r) => quickExactDestination(r) !== undefined).length;
		assert.deepEqual(['KUBE-SEP-1', 'KUBE-SEP-2', 'KUBE-NEW', 'KUBE-LATE', 'OUTPUT'].map(lazy), [5, 2, 1, 1, 1]);
		assert.deepEqual(nat.chains.get('KUBE-SEP-1')!.rules.map((r) => r.line), [12, 13, 7, 9, 14, 36, 37]);
	});
	test('chain declarations read on the short path are the full path’s: names, duplicates, built-in names, errors', () => {
		const names = ['A', 'x'.repeat(29), 'x'.repeat(30), '-X', '!X', 'X!', 'é', 'A\tB', 'PREROUTING', 'INPUT', 'A"B', 'A\\B', '~', ''];
		for (const name of names) {
			for (const table of ['nat', 'filter']) {
				assertSame(`*${table}\n:${name} - [0:0]\n:B - [0:0]\n:${name} - [0:0]\n-A B -j ACCEPT\nCOMMIT\n`, 4, name);
				assertSame(`*${table}\n-N ${name}\n:${name} - [0:0]\nCOMMIT\n`, 4, name);
			}
		}
	});
	test('backslashes found from the last search answer as a search of each range would, ranges in any order', () => {
		const random = prng(77);
		for (const text of ['', 'abc', '\\', 'a\\b\\\\c', `${'x'.repeat(50)}\\${'y'.repeat(50)}`]) {
			const backslashes = new Backslashes(text);
			for (let i = 0; i < 400; i++) {
				const from = Math.floor(random() * (text.length + 2));
				const to = from + Math.floor(random() * 8);
				const expected = text.slice(from, to).includes('\\');
				assert.equal(backslashes.within(from, to), expected, `${JSON.stringify(text)} [${from}, ${to})`);
			}
		}
	});
	test('a bad rule in a chain never looked at is refused at load, with its line and column', () => {
		const text = `${kubeProxyDump(50, 15).text}*nat\n:KUBE-X - [0:0]\n-A KUBE-X -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:99999\nCOMMIT\n`;
		const line = text.split('\n').length - 2;
		assert.throws(() => parseRuleset(text), (error: unknown) => error instanceof ParseError && error.line === line && error.column > 40);
	});
	test('IPv6 and odd spacing go to the full parser', () => {
		const table = parseRuleset('*nat\n:X - [0:0]\nCOMMIT\n').tables.get('nat')!;
		assert.ok(quickCheck('-A X -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j ACCEPT', table, 4));
		assert.equal(quickCheck('-A X -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j ACCEPT', table, 6), undefined);
		assert.equal(quickCheck('-A X  -d 10.0.0.1/32 -j ACCEPT', table, 4), undefined);
		assert.equal(quickCheck('-A X -d 10.0.0.1/32 -j ACCEPT ', table, 4), undefined);
		assert.equal(quickCheck('-A X -m comment --comment "a \\"b\\"" -j ACCEPT', table, 4), undefined);
	});
});
