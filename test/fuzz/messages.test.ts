import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseRuleset } from '../../source/netfilter/parse.js';
import { ParseError } from '../../source/netfilter/tokens.js';
import { parseExpression } from '../../source/packet/spec.js';
import { parseRoutes } from '../../source/routing/routes.js';
import { JsonSyntaxError, parseJson } from '../../source/views/json-input.js';
import { quoted } from '../../source/views/safe-text.js';
import { REPO } from '../support/paths.js';

/**
 * Issue 7, errors: a rejected JSON input names the line and column where it goes wrong (Node's own
 * JSON.parse message has no position for an unexpected token and quotes the input, line breaks and all),
 * and a message that quotes a word of the input is one line without controls, the word cut short.
 */
const BIN = join(REPO, 'bin', 'netsleuth.js');
/** What a message must not carry raw: C0 but tab, DEL, C1 (NEL included), bidi marks, U+2028/9. */
const RAW = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-messages-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function syntaxError(text: string): JsonSyntaxError {
	try {
		parseJson(text);
	} catch (error) {
		assert.ok(error instanceof JsonSyntaxError, String(error));
		return error;
	}
	assert.fail(`${JSON.stringify(text)} parsed`);
}

describe('JSON syntax errors: line and column', () => {
	// [input, line, column]: where the input stops being JSON, counted by hand.
	const cases: [string, number, number][] = [
		['[{"dst": "default"},\n {"dst": !1}]', 2, 10], // an unexpected token: Node gives no position
		['[1,]', 1, 4],
		['{"a":\n\vx}', 2, 1],
		['[1 2]', 1, 4],
		['{"a": 1}\n\n  x', 3, 3],
		['["a\nb"]', 1, 4],
		['{"x": nul}', 1, 10],
		['[1, 2', 1, 6], // the end of the input
		['', 1, 1],
		[`${'['.repeat(100_000)}\u0085`, 1, 100_001], // nested deep: no stack overflow
	];
	for (const [text, line, column] of cases) {
		test(`${JSON.stringify(text.length > 30 ? `${text.slice(0, 12)}…${text.slice(-4)}` : text)} → ${line}:${column}`, () => {
			const error = syntaxError(text);
			assert.deepEqual([error.line, error.column], [line, column], error.message);
			assert.match(error.message, /^invalid JSON at line \d+ column \d+: \S/);
			assert.doesNotMatch(error.message, RAW);
			assert.doesNotMatch(error.message, /is not valid JSON|in JSON at position/, 'none of Node\'s own wording');
		});
	}

	test('the CLI: --routes, --ip-rules, --links and --snapshot name FILE:LINE:COLUMN in one line, exit 1', () => {
		const file = join(tmp, 'bad.json');
		writeFileSync(file, '[{"dst": "default",\n "dev": \x1b]52;c;AA\x07}]');
		for (const flag of ['--routes', '--ip-rules', '--links', '--snapshot']) {
			const r = spawnSync(process.execPath, [BIN, 'show', 'routes', flag, file], { encoding: 'utf8' });
			assert.equal(r.status, 1, r.stderr);
			assert.match(r.stderr, new RegExp(`^netsleuth: ${file}:2:9: (not a netsleuth snapshot: )?invalid JSON: unexpected character "\\\\u001b"\\n$`), flag);
		}
	});
});

describe('messages quoting input words', () => {
	const hostile = `a\r\v\f\u0085\x1b[2J\u009b\u202e${'x'.repeat(5000)}`;

	test('quoted(): one line, controls escaped, at most 60 characters of the word', () => {
		const q = quoted(hostile);
		assert.doesNotMatch(q, RAW);
		assert.equal(q, String.raw`"a\r\u000b\f\u0085\u001b[2J\u009b\u202e` + 'x'.repeat(49) + '…"');
		assert.equal(quoted('eth0'), '"eth0"', 'plain words as before');
	});

	const rejected: [string, () => unknown][] = [
		['a ruleset word (ParseError)', () => parseRuleset(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport ${hostile.replace(/\s/g, '_')} -j ACCEPT\nCOMMIT\n`)],
		['an unknown option (ParseError)', () => parseRuleset(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --x${hostile.replace(/\s/g, '_')} -j ACCEPT\nCOMMIT\n`)],
		['a packet expression word', () => parseExpression(['tcp', '10.0.0.1:1', hostile, '10.0.0.2:2'])],
		['a routes value', () => parseRoutes(JSON.stringify([{ dst: hostile }]))],
		['a routes object', () => parseRoutes(JSON.stringify([{ dst: 'default', dev: { a: hostile } }]))],
	];
	for (const [what, run] of rejected) {
		test(`${what}: one line, no controls, bounded`, () => {
			assert.throws(run, (error: Error) => {
				const message = error instanceof ParseError ? error.reason : error.message;
				assert.doesNotMatch(message, RAW, message);
				assert.ok(message.length < 300, `${message.length} characters: ${message.slice(0, 200)}`);
				assert.match(message, /x…/, 'the word is cut, not dropped');
				return true;
			});
		});
	}
});
