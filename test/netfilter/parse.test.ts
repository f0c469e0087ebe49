import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRuleset } from '../../source/netfilter/parse.js';
import { formatRule } from '../../source/netfilter/ruleset.js';
import { ParseError, tokenize } from '../../source/netfilter/tokens.js';

const ruleset = (body: string, family: 4 | 6 = 4) => parseRuleset(`*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:USER - [0:0]\n${body}\nCOMMIT\n`, { family });

function parseError(text: string): ParseError {
	try {
		parseRuleset(text);
	} catch (error) {
		if (error instanceof ParseError) return error;
		throw error;
	}
	assert.fail(`expected a parse error for ${JSON.stringify(text)}`);
}

describe('tokenize', () => {
	test('quoted words keep spaces and escaped quotes, and remember their columns', () => {
		const tokens = tokenize('-A INPUT -m comment --comment "a \\"b\\" c" -j ACCEPT', 1);
		assert.deepEqual(tokens.map((t) => t.text), ['-A', 'INPUT', '-m', 'comment', '--comment', 'a "b" c', '-j', 'ACCEPT']);
		assert.equal(tokens[5]!.raw, '"a \\"b\\" c"');
		assert.equal(tokens[5]!.column, 31);
	});
	test('an unterminated quote is an error at its column', () => {
		assert.throws(() => tokenize('-A INPUT -m comment --comment "oops', 7), (e: ParseError) => e.line === 7 && e.column === 31);
	});
});

describe('parseRuleset', () => {
	test('tables, chains, policies, counters and rules in order', () => {
		const r = parseRuleset('*filter\n:INPUT DROP [12:3400]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[5:300] -A INPUT -s 10.2.67.113/32 -j REJECT\n-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n');
		const input = r.tables.get('filter')!.chains.get('INPUT')!;
		assert.equal(input.policy, 'DROP');
		assert.equal(input.counters?.packets, 12n);
		assert.equal(input.rules.length, 2);
		assert.equal(input.rules[0]!.counters?.bytes, 300n);
		assert.equal(input.rules[0]!.text, '-A INPUT -s 10.2.67.113/32 -j REJECT');
		assert.equal(input.rules[1]!.target?.name, 'ACCEPT');
		assert.equal(input.rules[1]!.matches[0]!.name, 'tcp');
	});
	test('every rule prints back exactly as written', () => {
		const lines = [
			'[3:180] -A INPUT ! -s 10.0.0.0/8 -i eth+ -p tcp -m tcp ! --dport 22 --tcp-flags SYN,RST,ACK SYN -m comment --comment "x \\"y\\"" -j LOG --log-prefix "drop: "',
			'-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
			'-A INPUT -j USER',
		];
		const r = ruleset(lines.join('\n'));
		const printed = r.tables.get('filter')!.chains.get('INPUT')!.rules.map(formatRule);
		assert.deepEqual(printed, lines);
	});
	test('options after -p without -m go to the protocol’s own match', () => {
		const rule = ruleset('-A INPUT -p tcp --dport 80 -j ACCEPT').tables.get('filter')!.chains.get('INPUT')!.rules[0]!;
		assert.equal(rule.matches[0]!.name, 'tcp');
		assert.deepEqual(rule.matches[0]!.tokens, []);
	});
	test('old "-d ! addr" syntax loads with a warning naming the line', () => {
		const r = ruleset('-A INPUT -d ! 10.0.0.1 -j DROP');
		const rule = r.tables.get('filter')!.chains.get('INPUT')!.rules[0]!;
		assert.equal(rule.basic.destination?.negated, true);
		assert.equal(r.warnings.length, 1);
		assert.equal(r.warnings[0]!.line, 6);
		assert.match(r.warnings[0]!.text, /old iptables syntax/);
	});
	test('unknown modules and targets are kept with a warning, never refused', () => {
		const r = ruleset('-A INPUT -m frobnicate --level 3 -j WIBBLE --strength 9');
		const rule = r.tables.get('filter')!.chains.get('INPUT')!.rules[0]!;
		assert.equal(rule.matches[0]!.extension, undefined);
		assert.equal(rule.matches[0]!.uses[0]!.name, '--level');
		assert.equal(rule.target?.name, 'WIBBLE');
		assert.ok(r.warnings.some((w) => /frobnicate/.test(w.text)));
		assert.ok(r.warnings.some((w) => /WIBBLE/.test(w.text)));
	});
	test('errors name line, column and what was expected', () => {
		const cases: [string, number, number, RegExp][] = [
			['*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 300.1.1.1 -j DROP\nCOMMIT\n', 3, 13, /IPv4 address/],
			['*filter\n:INPUT ACCEPT [0:0]\n-A NOPE -j DROP\nCOMMIT\n', 3, 4, /chain "NOPE" does not exist/],
			['*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport http2x -j DROP\nCOMMIT\n', 3, 32, /port/],
			['*filter\n:INPUT MAYBE [0:0]\nCOMMIT\n', 2, 8, /ACCEPT or DROP/],
			['-A INPUT -j DROP\n', 1, 1, /table line/],
			['*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j REJECT --reject-with icmp6-adm-prohibited\nCOMMIT\n', 3, 34, /unknown reject type/],
			['*wobble\nCOMMIT\n', 1, 2, /unknown table/],
		];
		for (const [text, line, column, reason] of cases) {
			const error = parseError(text);
			assert.deepEqual([error.line, error.column], [line, column], text);
			assert.match(error.reason, reason);
		}
	});
	test('a missing COMMIT at the end is a warning', () => {
		const r = parseRuleset('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n');
		assert.match(r.warnings[0]!.text, /no COMMIT/);
	});
	test('-I inserts at the given position; -N and -P work as in restore input', () => {
		const r = parseRuleset('*filter\n-N MINE\n-P INPUT DROP\n-A INPUT -j MINE\n-I INPUT 1 -p udp -j ACCEPT\nCOMMIT\n');
		const input = r.tables.get('filter')!.chains.get('INPUT')!;
		assert.equal(input.policy, 'DROP');
		assert.deepEqual(input.rules.map((rule) => rule.target?.name), ['ACCEPT', 'MINE']);
	});
	test('-I N refuses 0 and numbers more than one past the last rule, at the number', () => {
		for (const [number, message] of [['0', /invalid rule number "0"/], ['3', /index of insertion too big: chain INPUT has 1 rules/]] as const) {
			const text = `*filter\n-A INPUT -j ACCEPT\n-I INPUT ${number} -j DROP\nCOMMIT\n`;
			assert.throws(() => parseRuleset(text), (error: unknown) => error instanceof ParseError && error.line === 3 && error.column === 10 && message.test(error.reason));
		}
		assert.deepEqual(parseRuleset('*filter\n-A INPUT -j ACCEPT\n-I INPUT 2 -j DROP\nCOMMIT\n').tables.get('filter')!.chains.get('INPUT')!.rules.map((r) => r.target?.name), ['ACCEPT', 'DROP']);
	});
	test('getopt abbreviations of long options are accepted with a warning', () => {
		const r = ruleset('-A INPUT -m mac --mac 00:60:08:76:35:51 -j DROP');
		assert.equal((r.tables.get('filter')!.chains.get('INPUT')!.rules[0]!.matches[0]!.options as { address: string }).address, '00:60:08:76:35:51');
		assert.match(r.warnings[0]!.text, /abbreviation of --mac-source/);
	});
});
