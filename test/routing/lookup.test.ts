// lookupRoute semantics on small hand-built states (the kernel facts behind them are checked by
// fixtures.test.ts and test/kernel/route-get.test.ts), and the route get rendering.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parseIp } from '../../source/packet/address.js';
import { renderRouteGet } from '../../source/commands/route.js';
import { lookupRoute, type RouteQuery, type RoutingState } from '../../source/routing/lookup.js';
import { parseAddresses, parseRoutes, parseRules } from '../../source/routing/routes.js';

const addresses = parseAddresses([
	{ ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
	{ ifname: 'eth0', addr_info: [{ family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global' }] },
	{ ifname: 'eth1', addr_info: [{ family: 'inet', local: '198.51.100.10', prefixlen: 24, scope: 'global' }] },
]);

const baseRoutes = [
	{ type: 'local', dst: '192.0.2.10', dev: 'eth0', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '192.0.2.10' },
	{ type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '127.0.0.1' },
	{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
	{ dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '192.0.2.10' },
	{ dst: '198.51.100.0/24', dev: 'eth1', protocol: 'kernel', scope: 'link', prefsrc: '198.51.100.10' },
];

function state(rules: unknown[], extraRoutes: unknown[] = []): RoutingState {
	return { rules: parseRules(rules), routes: parseRoutes([...baseRoutes, ...extraRoutes]), localAddresses: addresses };
}

const defaults = [
	{ priority: 0, src: 'all', table: 'local' },
	{ priority: 32766, src: 'all', table: 'main' },
	{ priority: 32767, src: 'all', table: 'default' },
];

function query(dst: string, extra: Partial<RouteQuery> = {}): RouteQuery {
	return { family: 4, dst: parseIp(dst)!, ...extra };
}

test('no rules given: the default rules apply, local and main merged as the kernel reports them', () => {
	const decision = lookupRoute({ rules: [], routes: parseRoutes(baseRoutes), localAddresses: addresses }, query('8.8.8.8'));
	assert.deepEqual(
		[decision.type, decision.dst, decision.dev, decision.gateway, decision.prefsrc, decision.table, decision.rule],
		['unicast', '0.0.0.0/0', 'eth0', '192.0.2.1', '192.0.2.10', 'main', 32766],
	);
	const local = lookupRoute({ rules: [], routes: parseRoutes(baseRoutes), localAddresses: addresses }, query('192.0.2.10'));
	assert.deepEqual([local.type, local.dev, local.table, local.rule], ['local', 'lo', 'main', 0]);
	assert.match(local.explanation.join('\n'), /local and main as one table/);
});

test('custom rules: each rule consulted is explained, with the table searched', () => {
	const decision = lookupRoute(state([...defaults, { priority: 100, src: 'all', fwmark: '0x1', table: '100' }], [
		{ dst: 'default', gateway: '198.51.100.1', dev: 'eth1', table: '100' },
	]), query('8.8.8.8', { mark: 1 }));
	assert.deepEqual([decision.dev, decision.gateway, decision.prefsrc, decision.table, decision.rule], ['eth1', '198.51.100.1', '198.51.100.10', '100', 100]);
	assert.deepEqual(decision.explanation, [
		'rule 0 (from all lookup local): matches; table local has no route to 8.8.8.8, continue',
		'rule 100 (from all fwmark 0x1 lookup 100): matches; table 100: default via 198.51.100.1 dev eth1',
	]);
});

test('throw, goto (resolved and not), nop, not and suppress_prefixlength', () => {
	const rules = [
		...defaults,
		{ priority: 10, src: 'all', goto: 9999, unresolved: null },
		{ priority: 20, src: 'all', nop: null },
		{ priority: 30, not: null, src: 'all', fwmark: '0x2', goto: 50 },
		{ priority: 40, src: 'all', action: 'prohibit' },
		{ priority: 50, src: 'all', table: '100' },
		{ priority: 60, src: 'all', table: 'main', suppress_prefixlen: 0 },
	];
	const extra = [{ type: 'throw', dst: '10.0.0.0/8', table: '100' }, { dst: '10.1.0.0/16', dev: 'eth1', table: '100' }];
	const thrown = lookupRoute(state(rules, extra), query('10.9.9.9'));
	assert.deepEqual([thrown.dev, thrown.gateway, thrown.rule], ['eth0', '192.0.2.1', 32766]);
	const text = thrown.explanation.join('\n');
	assert.match(text, /rule 10 .*goto target is unresolved; skipped/);
	assert.match(text, /rule 20 .*nop, continue/);
	assert.match(text, /rule 30 .*jump to rule 50/);
	assert.match(text, /rule 50 .*throws back to the rules/);
	assert.match(text, /rule 60 .*suppressed \(prefix \/0 ≤ 0\)/);
	const inside = lookupRoute(state(rules, extra), query('10.1.2.3'));
	assert.deepEqual([inside.dev, inside.table, inside.rule], ['eth1', '100', 50]);
	// mark 2: the inverted rule 30 does not match, so rule 40 prohibits.
	const prohibited = lookupRoute(state(rules, extra), query('10.1.2.3', { mark: 2 }));
	assert.deepEqual([prohibited.type, prohibited.error, prohibited.rule, prohibited.table], ['prohibit', 'EACCES', 40, null]);
});

test('reject routes and rule actions carry the errno ip route get reports', () => {
	const rules = [...defaults, { priority: 10, src: 'all', dst: '203.0.113.0', dstlen: 24, action: 'unreachable' }];
	const extra = [
		{ type: 'blackhole', dst: '10.1.0.0/16' },
		{ type: 'unreachable', dst: '10.2.0.0/16' },
		{ type: 'prohibit', dst: '10.3.0.0/16' },
	];
	const answer = (dst: string) => {
		const d = lookupRoute(state(rules, extra), query(dst));
		return [d.type, d.error, d.table];
	};
	assert.deepEqual(answer('10.1.0.1'), ['blackhole', 'EINVAL', 'main']);
	assert.deepEqual(answer('10.2.0.1'), ['unreachable', 'EHOSTUNREACH', 'main']);
	assert.deepEqual(answer('10.3.0.1'), ['prohibit', 'EACCES', 'main']);
	assert.deepEqual(answer('203.0.113.9'), ['unreachable', 'ENETUNREACH', null]);
	const none = lookupRoute({ rules: parseRules(defaults), routes: [], localAddresses: addresses }, query('8.8.8.8'));
	assert.deepEqual([none.type, none.error, none.dst, none.rule], ['no-route', 'ENETUNREACH', null, null]);
});

test('longest prefix, then tos, then lowest metric', () => {
	const extra = [
		{ dst: '10.0.0.0/8', dev: 'eth1' },
		{ dst: '10.5.0.0/16', dev: 'eth1', metric: 20 },
		{ dst: '10.5.0.0/16', dev: 'eth0', metric: 10 },
		{ dst: '10.5.0.0/16', dev: 'eth1', metric: 30, tos: '0x10' },
	];
	const dev = (dst: string, tos?: number) => lookupRoute(state(defaults, extra), query(dst, tos === undefined ? {} : { tos })).dev;
	assert.equal(dev('10.9.0.1'), 'eth1');
	assert.equal(dev('10.5.0.1'), 'eth0');
	assert.equal(dev('10.5.0.1', 0x10), 'eth1');
	assert.equal(dev('10.5.0.1', 0x04), 'eth0');
});

test('prefsrc: the route src, else the primary address of the out interface in the gateway subnet', () => {
	const extra = [
		{ dst: '10.7.0.0/16', gateway: '198.51.100.1', dev: 'eth1' },
		{ dst: '10.8.0.0/16', gateway: '192.0.2.1', dev: 'eth0', prefsrc: '198.51.100.10' },
	];
	assert.equal(lookupRoute(state(defaults, extra), query('10.7.0.1')).prefsrc, '198.51.100.10');
	assert.equal(lookupRoute(state(defaults, extra), query('10.8.0.1')).prefsrc, '198.51.100.10');
	// A given source is the packet's; ip route get reports no prefsrc then.
	assert.equal(lookupRoute(state(defaults, extra), query('10.7.0.1', { src: parseIp('192.0.2.10')! })).prefsrc, null);
});

test('queries must be of one family', () => {
	assert.throws(() => lookupRoute(state(defaults), { family: 6, dst: parseIp('10.0.0.1')! }), /mixes address families/);
});

test('route get renders the JSON contract and ip-like text', () => {
	const decision = lookupRoute(state(defaults), query('8.8.8.8'));
	const json = JSON.parse(renderRouteGet(decision, true)) as Record<string, unknown>;
	assert.deepEqual(
		{ type: json['type'], dst: json['dst'], dev: json['dev'], gateway: json['gateway'], prefsrc: json['prefsrc'], table: json['table'], rule: json['rule'] },
		{ type: 'unicast', dst: '0.0.0.0/0', dev: 'eth0', gateway: '192.0.2.1', prefsrc: '192.0.2.10', table: 'main', rule: 32766 },
	);
	assert.ok(Array.isArray(json['explanation']));
	const text = renderRouteGet(decision, false);
	assert.match(text, /^8\.8\.8\.8 via 192\.0\.2\.1 dev eth0 table main src 192\.0\.2\.10\n {4}matched 0\.0\.0\.0\/0 by rule 32766\nwhy:\n {2}no custom IPv4 rules/);
	const refused = renderRouteGet(lookupRoute({ rules: parseRules(defaults), routes: [] }, query('8.8.8.8')), false);
	assert.match(refused, /^no-route 8\.8\.8\.8: Network is unreachable\n/);
	const noRoute = JSON.parse(renderRouteGet(lookupRoute({ rules: [], routes: [] }, query('8.8.8.8')), true)) as Record<string, unknown>;
	assert.deepEqual([noRoute['type'], noRoute['dst'], noRoute['dev'], noRoute['table'], noRoute['rule'], noRoute['message']], ['no-route', null, null, null, null, 'Network is unreachable']);
});
