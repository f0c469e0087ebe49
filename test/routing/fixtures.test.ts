// lookupRoute against real `ip route get` answers recorded by test/fixtures/routing/capture.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { lookupRoute, type RoutingState } from '../../source/routing/lookup.js';
import { parseAddresses, parseRoutes, parseRules } from '../../source/routing/routes.js';
import { disagreement, queryFromArgs, type RouteGetRecord } from './ip-route-get.js';

const fixture = (name: string): unknown =>
	JSON.parse(readFileSync(new URL(`../../../test/fixtures/routing/${name}`, import.meta.url), 'utf8'));

function fixtureState(): RoutingState {
	return {
		// routes.json is `ip -j route show table all`, which holds both families.
		routes: parseRoutes(fixture('routes.json')),
		rules: [...parseRules(fixture('rules.json'), 4), ...parseRules(fixture('rules6.json'), 6)],
		localAddresses: parseAddresses(fixture('addr.json')),
	};
}

test('every recorded ip route get answer is reproduced', () => {
	const state = fixtureState();
	const records = fixture('route-get.json') as RouteGetRecord[];
	assert.ok(records.length >= 60);
	const failures = records.flatMap((record) => {
		const decision = lookupRoute(state, queryFromArgs(record.family, record.args));
		const why = disagreement(decision, record);
		return why ? [`ip -${record.family} route get ${record.args.join(' ')}: ${why}\n    ${decision.explanation.join('\n    ')}`] : [];
	});
	assert.deepEqual(failures, []);
});

test('the mixed-family route dump parses like the per-family one', () => {
	const mixed = parseRoutes(fixture('routes.json')).filter((r) => r.family === 6);
	const v6 = parseRoutes(fixture('routes6.json'), 6);
	assert.deepEqual(mixed, v6);
});
