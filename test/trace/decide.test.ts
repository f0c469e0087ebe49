import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubeProxyDump, prng } from '../../bench/kube-gen.js';
import { buildHost } from '../../source/host/model.js';
import { packetToJson } from '../../source/packet/packet.js';
import { decidePacket, tracePacket } from '../../source/trace/pipeline.js';
import { packet } from '../support/packets.js';
import { randomPacket, randomRuleset } from '../support/random-rulesets.js';
import { variant } from '../support/replay-variants.js';

/**
 * decidePacket (a replay's decisions: nothing recorded) must give tracePacket's fate, verdict, hits and
 * final packet, on random rulesets (raw NOTRACK, NAT, marks, random branches, matches that read ports,
 * lengths, payloads, tuples or keep state) and random packets in every conntrack state.
 */
describe('decidePacket: the same decision as tracePacket', () => {
	for (const family of [4, 6] as const) {
		test(`random IPv${family} rulesets and packets (fixed seed)`, () => {
			const random = prng(family === 4 ? 4242 : 64);
			let compared = 0;
			const fates = new Set<string>();
			for (let r = 0; r < 25; r++) {
				const text = randomRuleset(random, family, true);
				const host = buildHost(family === 4 ? { iptables: text } : { ip6tables: text }).model;
				for (let p = 0; p < 80; p++) {
					const input = variant(random, randomPacket(random, family));
					const trace = tracePacket(host, input);
					const decision = decidePacket(host, input);
					const where = `ruleset ${r}, packet ${p}`;
					assert.equal(decision.fate, trace.fate, where);
					assert.equal(decision.path, trace.path, where);
					assert.deepEqual(decision.verdict, trace.verdict, where);
					assert.deepEqual(decision.hits, trace.hits, where);
					assert.deepEqual(packetToJson(decision.final), trace.final, where);
					assert.equal(decision.answered, trace.reply !== undefined, where);
					assert.equal(decision.untracked, trace.final.state === 'UNTRACKED', where);
					assert.equal(decision.arrival.in, trace.packet.in, where);
					assert.equal(decision.arrival.local, trace.packet.local === true, where);
					fates.add(trace.fate);
					compared++;
				}
			}
			assert.equal(compared, 2000);
			assert.ok(fates.size >= 4, `several fates seen: ${[...fates].join(', ')}`);
		});
	}

	test('a kube-proxy dump (1,000 services): services, NodePorts, pods, nothing', () => {
		const dump = kubeProxyDump(1000, 5);
		const host = buildHost({ iptables: dump.text }).model;
		const random = prng(7);
		let translated = 0;
		for (let i = 0; i < 300; i++) {
			const s = dump.services[Math.floor(random() * dump.services.length)]!;
			const dst = random() < 0.7 ? s.clusterIP : random() < 0.5 ? s.endpoints[0]?.ip ?? s.clusterIP : `10.96.${Math.floor(random() * 8)}.${Math.floor(random() * 250)}`;
			const input = variant(random, packet(`${s.proto} 192.168.${Math.floor(random() * 250)}.9:${40000 + i} > ${dst}:${s.port} in eth0`));
			const trace = tracePacket(host, input);
			const decision = decidePacket(host, input);
			assert.equal(decision.fate, trace.fate, `packet ${i}`);
			assert.deepEqual(decision.verdict, trace.verdict, `packet ${i}`);
			assert.deepEqual(decision.hits, trace.hits, `packet ${i}`);
			assert.deepEqual(packetToJson(decision.final), trace.final, `packet ${i}`);
			if (trace.final.dst !== trace.packet.dst) translated++;
		}
		assert.ok(translated > 50, `DNAT seen (${translated})`);
	});
});
