import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeProxyDump } from '../../bench/kube-gen.js';
import { parseRuleset } from '../../source/netfilter/parse.js';
import { chainReferences } from '../../source/netfilter/references.js';

test('references: rules that jump or go to each user chain; other targets and other tables do not count', () => {
	const { tables } = parseRuleset('*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n:Y - [0:0]\n:Z - [0:0]\n-A INPUT -d 10.0.0.1/32 -j X\n-A INPUT -g Y\n-A X -j MARK --set-xmark 0x1/0x1\n-A X -j Y\n-A X -j ACCEPT\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:X - [0:0]\n-A PREROUTING -j X\nCOMMIT\n');
	assert.deepEqual(Object.fromEntries(chainReferences(tables.get('filter')!)), { X: 1, Y: 2 });
	assert.deepEqual(Object.fromEntries(chainReferences(tables.get('nat')!)), { X: 1 });
});

test('references of quickly read rules (counted from the line) equal those of fully parsed ones', () => {
	const text = kubeProxyDump(300).text;
	const quick = parseRuleset(text);
	const full = parseRuleset(text, { lazy: false });
	let chains = 0;
	for (const [name, table] of full.tables) {
		const expected = chainReferences(table);
		assert.deepEqual(chainReferences(quick.tables.get(name)!), expected, name);
		chains += expected.size;
	}
	assert.ok(chains > 500, `${chains} chains referenced`);
});
