import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookupRoute } from '../../source/routing/lookup.js';
import { linksRows } from '../../source/tui/data/links-rows.js';
import { chosenByDecision, chosenByTrace, decisionLine, routesRows } from '../../source/tui/data/routes-rows.js';
import { buildRulesTable, chainOf, rulesSource, traceMarks } from '../../source/tui/data/rules-rows.js';
import { fateLine, rewriteDiff, traceRows } from '../../source/tui/data/trace-rows.js';
import { checkExpression, checkRouteQuery, traceExpression } from '../../source/tui/expression.js';
import type { RowSource } from '../../source/tui/rows.js';
import { demoHost, EXERCISE, NAT_RULES, rulesHost } from './support/host.js';

const all = (source: RowSource) => Array.from({ length: source.count }, (_, i) => source.row(i));
const texts = (source: RowSource) => all(source).map((r) => r.text);
const traced = (outcome: ReturnType<typeof traceExpression>) => {
	assert.ok('trace' in outcome, 'error' in outcome ? outcome.error : '');
	return outcome.trace;
};

describe('what the views show', () => {
	test('the packet line checks as it is typed: the packet it means, or what is wrong, and unknown interfaces', () => {
		const good = checkExpression(EXERCISE, new Set(['ens32', 'lo']));
		assert.ok(good.ok);
		assert.match(good.description, /^tcp 10\.2\.67\.113:51000 > 172\.16\.6\.251:22 \[SYN\].*NEW in ens32$/);
		assert.equal(good.warning, undefined);
		const unknown = checkExpression('udp 10.0.0.1:5 > 10.0.0.2:53 in eth9', new Set(['ens32']));
		assert.ok(unknown.ok);
		assert.match(unknown.warning!, /no interface eth9/);
		const bad = checkExpression('tcp 10.0.0.1:5 > 10.0.0.2 in eth0');
		assert.ok(!bad.ok && !bad.empty);
		assert.match(bad.error, /destination port/);
		const empty = checkExpression('   ');
		assert.ok(!empty.ok && empty.empty);
	});
	test('the handout exercise: the path, the deciding rule under its chain, the fate in one red line', async () => {
		const host = await demoHost('reject-ip');
		const trace = traced(traceExpression(host.model, EXERCISE));
		const fate = fateLine(trace);
		assert.equal(fate.tone, 'bad');
		assert.match(fate.text, /^REJECTED .* by filter\/INPUT rule 1/);
		const rows = traceRows(trace, new Set());
		const lines = texts(rows);
		const input = lines.findIndex((l) => /^INPUT +filter\/INPUT +→ REJECT by rule 1/.test(l));
		assert.ok(input >= 0, lines.join('\n'));
		assert.equal(rows.row(input + 1).tone, 'decider');
		assert.equal(rows.row(input + 1).mark, 'decider');
		assert.match(lines[input + 1]!, /✓ 1 +-A INPUT -s 10\.2\.67\.113\/32 -j REJECT/);
		assert.ok(lines.some((l) => /^Routing +local 172\.16\.6\.251\/32/.test(l)));
		assert.ok(lines.includes('Assumptions'));
		assert.equal(rows.action?.(input)?.kind, 'toggle');
	});
	test('unfolding a step lists every rule walked and why it did not match', async () => {
		const host = rulesHost(NAT_RULES);
		const trace = traced(traceExpression(host.model, 'tcp 203.0.113.5:40000 > 10.2.67.1:8080 in eth0 out eth1'));
		const folded = traceRows(trace, new Set());
		const forward = texts(folded).findIndex((l) => l.startsWith('FORWARD'));
		const action = folded.action!(forward);
		assert.ok(action?.kind === 'toggle');
		const open = traceRows(trace, new Set([action.key]));
		const lines = texts(open);
		const at = lines.findIndex((l) => l.startsWith('FORWARD'));
		assert.match(lines[at + 1]!, /✓ 1 +-A FORWARD -j CHECKS/);
		assert.match(lines[at + 2]!, /✗ CHECKS 1 -A CHECKS -s 192\.0\.2\.0\/24 -j DROP/);
		assert.match(lines[at + 3]!, /source 203\.0\.113\.5 is not in 192\.0\.2\.0\/24/);
		assert.equal(open.row(at + 2).mark, 'walked');
		assert.ok(lines.some((l) => /✓ 2 +-A FORWARD -d 10\.9\.0\.2\/32/.test(l)));
	});
	test('a rewrite shows before → after, field by field; input text never reaches the terminal raw', () => {
		const host = rulesHost(NAT_RULES);
		const trace = traced(traceExpression(host.model, 'tcp 203.0.113.5:40000 > 10.2.67.1:8080 in eth0 out eth1'));
		const lines = texts(traceRows(trace, new Set(['step:0'])));
		assert.ok(lines.some((l) => l.includes('dst 10.2.67.1 → 10.9.0.2, dport 8080 → 80')), lines.join('\n'));
		assert.equal(rewriteDiff({ family: 4, proto: 'tcp', src: 'a', dst: 'b', state: 'NEW' }, { family: 4, proto: 'tcp', src: 'c', dst: 'b', state: 'NEW' }), 'src a → c');
		const table = buildRulesTable(host.model);
		for (let i = 0; i < table.count; i++) {
			for (const text of [table.text(i), table.searchText(i)]) assert.doesNotMatch(text, /[\x00-\x08\x0b-\x1f\x7f]/, text);
		}
		for (const line of lines) assert.doesNotMatch(line, /\x1b/);
	});
	test('rules: tables → chains → rules with line numbers, counters and targets; jumps lead to their chain', async () => {
		const host = rulesHost(NAT_RULES);
		const table = buildRulesTable(host.model);
		const rows = rulesSource(table, new Map());
		const lines = texts(rows);
		assert.equal(lines[0], 'iptables -t nat');
		assert.equal(lines[1], 'Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)');
		assert.match(lines[2]!, /^num pkts bytes target +prot opt in out source +destination$/);
		assert.match(lines[3]!, /^ {2}1 +0 +0 WEB +tcp +-- +\* +\* +0\.0\.0\.0\/0 +0\.0\.0\.0\/0 +tcp dpt:8080$/);
		const jump = rows.action!(3);
		assert.ok(jump?.kind === 'jump');
		assert.equal(lines[jump.to], 'Chain WEB (1 references)');
		assert.equal(rows.action!(1), undefined);
		assert.equal(chainOf(table, 3), 'nat ▸ PREROUTING');
		assert.equal(chainOf(table, 0), 'iptables -t nat');
		assert.equal(table.ruleCount, 6);
		assert.equal(rows.locate!('4|nat|PREROUTING|1'), 3);
		assert.match(lines[rows.locate!('4|filter|CHECKS|2')!]!, /DROP +udp/);
		assert.equal(rows.locate!('4|filter|CHECKS|3'), undefined);
		assert.equal(rows.locate!('4|raw|PREROUTING|1'), undefined);
		assert.match(table.searchText(3), /^-A PREROUTING -p tcp -m tcp --dport 8080 -j WEB$/m);
		assert.match(table.searchText(3), /dpt:8080/);
	});
	test('rules on the trace\'s path are marked: the decider, the rules that matched, the ones walked past', () => {
		const host = rulesHost(NAT_RULES);
		const trace = traced(traceExpression(host.model, 'tcp 203.0.113.5:40000 > 10.2.67.1:8080 in eth0 out eth1'));
		const table = buildRulesTable(host.model);
		const rows = all(rulesSource(table, traceMarks(trace)));
		const find = (re: RegExp) => rows.find((r) => re.test(r.text))!;
		assert.equal(find(/ACCEPT .*10\.9\.0\.2/).mark, 'decider');
		assert.equal(find(/ACCEPT .*10\.9\.0\.2/).tone, 'decider');
		assert.equal(find(/CHECKS +all/).mark, 'hit');
		assert.equal(find(/DROP +all .*192\.0\.2\.0\/24/).mark, 'walked');
		assert.equal(find(/^Chain CHECKS/).mark, 'hit');
		assert.equal(find(/^Chain OUTPUT/).mark, undefined);
	});
	test('a 110,000-rule ruleset is laid out lazily: building is cheap, a screenful is formatted on demand', async () => {
		const { kubeProxyRules } = await import('./support/kube-proxy.js');
		const host = rulesHost(kubeProxyRules(2000));
		const started = performance.now();
		const table = buildRulesTable(host.model);
		const rows = rulesSource(table, new Map());
		for (let i = 0; i < 40; i++) rows.row(i);
		for (let i = table.count - 40; i < table.count; i++) rows.row(i);
		const elapsed = performance.now() - started;
		assert.equal(table.ruleCount, 22007);
		assert.ok(elapsed < 1500, `${elapsed} ms`);
	});
	test('routes: policy rules then each table; the trace\'s rule and route marked, or those of route get', async () => {
		const host = await demoHost('reject-ip');
		const trace = traced(traceExpression(host.model, EXERCISE));
		const rows = all(routesRows(host.model.routing, chosenByTrace(trace)));
		assert.equal(rows[0]!.text, 'IPv4 policy rules (ip rule)');
		const marked = rows.filter((r) => r.mark === 'chosen').map((r) => r.text.trim());
		assert.deepEqual(marked, ['0:      from all lookup local', 'local 172.16.6.251 dev ens32 proto kernel scope host src 172.16.6.251']);
		const query = checkRouteQuery('192.0.2.101');
		assert.ok(query.ok);
		const decision = lookupRoute(host.model.routing!, query.query);
		assert.match(decisionLine(decision), /^192\.0\.2\.101 via 172\.16\.6\.24 dev ens32 table main/);
		const viaGet = all(routesRows(host.model.routing, chosenByDecision(decision, 4))).filter((r) => r.mark === 'chosen').map((r) => r.text.trim());
		assert.deepEqual(viaGet, ['32766:  from all lookup main', '192.0.2.101 via 172.16.6.24 dev ens32 proto bird']);
		assert.match(texts(routesRows(undefined, undefined))[0]!, /No routes were read/);
	});
	test('route get takes ip route get\'s words and refuses what it cannot look up', () => {
		const ok = checkRouteQuery('route get 10.0.0.1 from 10.0.0.2 iif eth0 --mark 0x10 tos 4');
		assert.ok(ok.ok);
		assert.deepEqual({ iif: ok.query.iif, mark: ok.query.mark, tos: ok.query.tos }, { iif: 'eth0', mark: 16, tos: 4 });
		for (const [text, error] of [['10.0.0.1 via 1.2.3.4', /unknown word "via"/], ['10.0.0.1 from fd00::1', /one family/], ['10.0.0.1 mark x', /number/], ['10.0.0.1 iif', /needs an interface/]] as const) {
			const check = checkRouteQuery(text);
			assert.ok(!check.ok);
			assert.match(check.error, error);
		}
	});
	test('interfaces: bridges with their ports as a tree, veth peers, addresses and learned fdb entries', async () => {
		const host = await demoHost('reject-ip');
		const lines = texts(linksRows(host.links));
		const bridge = lines.findIndex((l) => l.startsWith('docker0'));
		assert.match(lines[bridge]!, /bridge +UP +ports veth1,veth2/);
		assert.ok(lines.slice(bridge).some((l) => /^├─ veth1 +veth/.test(l)));
		assert.ok(lines.slice(bridge).some((l) => /^└─ veth2 +veth/.test(l)));
		assert.ok(lines.some((l) => /fdb [0-9a-f:]{17} learned/.test(l)));
		assert.ok(lines.some((l) => /^ens32 +veth +UP +↔ if2/.test(l)));
		assert.ok(lines.some((l) => l.trim() === '172.16.6.251/24'));
		assert.match(texts(linksRows(undefined, 'files: no interfaces were read'))[0]!, /no interfaces were read/);
	});
});
