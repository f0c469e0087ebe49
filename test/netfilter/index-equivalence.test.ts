import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubeProxyDump, prng } from '../../bench/kube-gen.js';
import { buildHost } from '../../source/host/model.js';
import { chainIndex } from '../../source/netfilter/chain-index.js';
import { setChainIndex } from '../../source/netfilter/walk.js';
import type { Packet } from '../../source/packet/packet.js';
import { tracePacket, type HostModel } from '../../source/trace/pipeline.js';
import { packet } from '../support/packets.js';
import { randomPacket, randomRuleset } from '../support/random-rulesets.js';

/**
 * The chain index (source/netfilter/chain-index.ts) may only skip work whose outcome it reproduces
 * exactly: every trace, with every evaluation and its reason, every hit, branch, rewrite and assumption,
 * must be the one the rule-by-rule walk gives. Random rulesets and packets from a fixed seed.
 */

function traceBoth(host: HostModel, p: Packet): { indexed: string; linear: string } {
	setChainIndex(false);
	let linear: string;
	try {
		linear = JSON.stringify(tracePacket(host, p));
	} finally {
		setChainIndex(true);
	}
	return { indexed: JSON.stringify(tracePacket(host, p)), linear };
}

describe('chain index: the same traces as the rule-by-rule walk', () => {
	for (const family of [4, 6] as const) {
		test(`random IPv${family} rulesets and packets (fixed seed)`, () => {
			const random = prng(family === 4 ? 20251125 : 6);
			let indexedChains = 0;
			let traces = 0;
			for (let r = 0; r < 25; r++) {
				const text = randomRuleset(random, family);
				const host = buildHost(family === 4 ? { iptables: text } : { ip6tables: text }).model;
				const ruleset = family === 4 ? host.rules4! : host.rules6!;
				for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) if (chainIndex(chain)) indexedChains++;
				for (let p = 0; p < 40; p++) {
					const packet = randomPacket(random, family);
					const { indexed, linear } = traceBoth(host, packet);
					assert.equal(indexed, linear, `ruleset ${r}, packet ${p}:\n${text}`);
					traces++;
				}
			}
			assert.ok(indexedChains > 25, `the index was used (${indexedChains} indexed chains)`);
			assert.equal(traces, 1000);
		});
	}
	test('a kube-proxy dump (1,000 services): packets to services, to nothing, from pods', () => {
		const dump = kubeProxyDump(1000, 3);
		const host = buildHost({ iptables: dump.text }).model;
		const services = host.rules4!.tables.get('nat')!.chains.get('KUBE-SERVICES')!;
		assert.ok(chainIndex(services), 'KUBE-SERVICES is indexed');
		const random = prng(99);
		for (let i = 0; i < 150; i++) {
			const s = dump.services[Math.floor(random() * dump.services.length)]!;
			const src = random() < 0.3 ? '10.244.3.7' : `192.168.${Math.floor(random() * 250)}.9`;
			const dst = random() < 0.8 ? s.clusterIP : `10.96.${Math.floor(random() * 8)}.${Math.floor(random() * 250)}`;
			const where = random() < 0.7 ? 'in eth0' : 'local';
			const { indexed, linear } = traceBoth(host, packet(`${s.proto} ${src}:${40000 + i} > ${dst}:${random() < 0.9 ? s.port : 1} ${where}`));
			assert.equal(indexed, linear, `packet ${i}`);
		}
	});
	test('the evaluations are read lazily but are plain data: JSON and deep equality as before', () => {
		const host = buildHost({ iptables: kubeProxyDump(100, 4).text }).model;
		const p = packet('tcp 192.168.0.9:40000 > 10.96.0.50:80 in eth0');
		const a = tracePacket(host, p);
		const b = tracePacket(host, p);
		assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
		assert.deepEqual(a, b);
		const step = a.steps.find((s) => s.kind === 'chain' && s.table === 'nat' && s.hook === 'PREROUTING');
		assert.ok(step && step.kind === 'chain');
		assert.ok(step.evaluations.length > 40);
		assert.deepEqual(Object.keys(step.evaluations.find((e) => !e.matched)!), ['table', 'chain', 'rule', 'text', 'matched', 'reason']);
		assert.deepEqual(Object.keys(step.evaluations.find((e) => e.matched)!), ['table', 'chain', 'rule', 'text', 'matched']);
	});
});
