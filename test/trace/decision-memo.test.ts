import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubeProxyDump, prng } from '../../bench/kube-gen.js';
import { buildHost } from '../../source/host/model.js';
import { READ_BITS } from '../../source/netfilter/extension.js';
import { parseIp } from '../../source/packet/address.js';
import { clonePacket, type Packet } from '../../source/packet/packet.js';
import { decisionKey, KEY_FIELDS } from '../../source/trace/decision-key.js';
import { DecisionMemo } from '../../source/trace/decision-memo.js';
import type { Decision } from '../../source/trace/model.js';
import { decidePacket, type HostModel } from '../../source/trace/pipeline.js';
import { packet } from '../support/packets.js';
import { pick, type Random, randomPacket, randomRuleset } from '../support/random-rulesets.js';
import { variant } from '../support/replay-variants.js';

/** A packet's fields without the undefined ones (a field set to undefined and one never set are alike). */
function plain(p: Packet): unknown {
	const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
	return { ...defined(p), ct: defined(p.ct) };
}

function assertSame(memo: Decision, fresh: Decision, where: string): void {
	assert.equal(memo.fate, fresh.fate, where);
	assert.equal(memo.path, fresh.path, where);
	assert.deepEqual(memo.verdict, fresh.verdict, where);
	assert.deepEqual(memo.hits, fresh.hits, where);
	assert.deepEqual(plain(memo.final), plain(fresh.final), where);
}

/**
 * A capture's worth of packets: a few dozen flows, each packet of a flow seen again and again, sometimes
 * from another source port (another flow), with another length or payload, in another state.
 */
function capture(random: Random, family: 4 | 6, count: number): Packet[] {
	const flows = Array.from({ length: 30 }, () => variant(random, randomPacket(random, family)));
	return Array.from({ length: count }, () => {
		const p = clonePacket(pick(random, flows));
		const r = random();
		if (r < 0.2 && p.sport !== undefined) {
			p.sport = 1024 + Math.floor(random() * 60000);
			p.ct.origSport = p.ct.replDport = p.sport;
		} else if (r < 0.3) p.length = 40 + Math.floor(random() * 1400);
		else if (r < 0.35) p.payload = new TextEncoder().encode(pick(random, ['abc', 'zzz']));
		else if (r < 0.45 && p.proto === 6) p.tcpFlags = pick(random, [0x02, 0x10, 0x12, 0x18, 0x11]);
		else if (r < 0.5) p.ct.seenReply = !p.ct.seenReply;
		return p;
	});
}

function replayBoth(host: HostModel, packets: readonly Packet[], capacity?: number): DecisionMemo {
	const memo = new DecisionMemo(host, capacity);
	packets.forEach((p, i) => assertSame(memo.decide(p), decidePacket(host, p), `packet ${i}`));
	return memo;
}

describe('decision memo: the same decisions as without it', () => {
	for (const family of [4, 6] as const) {
		test(`random IPv${family} rulesets and captures (fixed seed)`, () => {
			const random = prng(family === 4 ? 77 : 78);
			let hits = 0;
			let decided = 0;
			for (let r = 0; r < 12; r++) {
				const text = randomRuleset(random, family, true);
				const host = buildHost(family === 4 ? { iptables: text } : { ip6tables: text }).model;
				const memo = replayBoth(host, capture(random, family, 250));
				hits += memo.hits;
				decided += memo.hits + memo.misses;
			}
			assert.equal(decided, 3000);
			assert.ok(hits > decided / 3, `the memo was used (${hits} of ${decided})`);
		});
	}

	test('a small memo forgets the oldest keys and still decides alike', () => {
		const random = prng(5);
		const host = buildHost({ iptables: randomRuleset(random, 4, true) }).model;
		const memo = replayBoth(host, capture(random, 4, 600), 20);
		assert.ok(memo.size <= 20, `at most 20 held (${memo.size})`);
		assert.ok(memo.hits > 0);
	});

	test('a kube-proxy dump: flows to services, pods and nothing, NEW then ESTABLISHED', () => {
		const dump = kubeProxyDump(1000, 6);
		const host = buildHost({ iptables: dump.text }).model;
		const random = prng(8);
		const packets: Packet[] = [];
		for (let f = 0; f < 60; f++) {
			const s = dump.services[Math.floor(random() * dump.services.length)]!;
			const dst = random() < 0.8 ? s.clusterIP : `10.244.${Math.floor(random() * 4)}.${Math.floor(random() * 250)}`;
			const first = packet(`${s.proto} 192.168.${Math.floor(random() * 3)}.9:${40000 + f} > ${dst}:${s.port} in eth0`);
			const fresh = decidePacket(host, first);
			packets.push(first);
			for (let k = 0; k < 8; k++) {
				// Later packets of the connection: established, with the translation the first one got.
				const later = clonePacket(first);
				later.ctState = 'ESTABLISHED';
				later.ctStateGiven = true;
				later.ct.confirmed = true;
				later.ct.seenReply = k > 0;
				if (fresh.final.dst !== first.dst) {
					later.ct.dnat = true;
					later.ct.replSrc = fresh.final.dst;
					later.ct.replSport = fresh.final.dport;
				}
				later.length = 60 + k * 100;
				packets.push(later);
			}
		}
		const memo = replayBoth(host, packets);
		assert.ok(memo.hits > packets.length / 2, `hits ${memo.hits} of ${packets.length}`);
	});
});

describe('decision key', () => {
	/** A change to each field of a packet: exhaustive, as KEY_FIELDS is. */
	const CHANGES: { readonly [K in keyof Packet]-?: (p: Packet) => void } = {
		family: (p) => (p.family = 6), proto: (p) => (p.proto = 17), src: (p) => (p.src = parseIp('10.0.0.99')!), dst: (p) => (p.dst = parseIp('10.0.0.98')!),
		sport: (p) => (p.sport = 1), dport: (p) => (p.dport = 2), icmpType: (p) => (p.icmpType = 8), icmpCode: (p) => (p.icmpCode = 1),
		tcpFlags: (p) => (p.tcpFlags = 0x12), tcpOptions: (p) => (p.tcpOptions = [2, 4]), in: (p) => (p.in = 'eth9'), out: (p) => (p.out = 'eth8'),
		srcMac: (p) => (p.srcMac = '02:00:00:00:00:01'), dstMac: (p) => (p.dstMac = '02:00:00:00:00:02'), mark: (p) => (p.mark = 7), ctmark: (p) => (p.ctmark = 7),
		ctState: (p) => (p.ctState = 'ESTABLISHED'), ct: (p) => (p.ct.reply = true), ctStateGiven: (p) => (p.ctStateGiven = !p.ctStateGiven),
		local: (p) => (p.local = !p.local), length: (p) => (p.length = 999), ttl: (p) => (p.ttl = 3), tos: (p) => (p.tos = 0x10),
		fragment: (p) => (p.fragment = true), uid: (p) => (p.uid = 1000), gid: (p) => (p.gid = 1000), payload: (p) => (p.payload = new Uint8Array([1])),
		physIn: (p) => (p.physIn = 'veth1'), physOut: (p) => (p.physOut = 'veth2'), pktType: (p) => (p.pktType = 'broadcast'),
	};
	const ALL = 0xff;

	test('every field always keyed tells packets apart; the others when a decision read them', () => {
		const base = packet('tcp 192.168.1.7:40000 > 10.96.0.1:80 in eth0');
		const key = decisionKey(false);
		const recorded = key.record(base, ALL);
		for (const field of Object.keys(KEY_FIELDS) as (keyof Packet)[]) {
			const changed = clonePacket(base);
			CHANGES[field](changed);
			const where = KEY_FIELDS[field];
			if (where === 'always') assert.ok(!key.same(recorded, changed), `${field} is always keyed`);
			else {
				assert.ok(key.same(recorded, changed), `${field} is not always keyed`);
				assert.ok(key.sameOf(recorded, changed, 0), `${field} is not keyed when nothing read it`);
				assert.ok(!key.sameOf(recorded, changed, READ_BITS[where]), `${field} is keyed when ${where} was read`);
			}
		}
		for (const [flag, where] of [['seenReply', 'status'], ['assured', 'status'], ['confirmed', 'always'], ['snat', 'always'], ['dnat', 'always']] as const) {
			const changed = clonePacket(base);
			changed.ct[flag] = true;
			if (where === 'always') assert.ok(!key.same(recorded, changed), `ct.${flag}`);
			else assert.ok(key.same(recorded, changed) && !key.sameOf(recorded, changed, READ_BITS[where]), `ct.${flag}`);
		}
		const tuple = clonePacket(base);
		tuple.ct.origSport = 1;
		assert.ok(key.same(recorded, tuple) && !key.sameOf(recorded, tuple, READ_BITS.tuple), 'the tuples when read');
		// A translated connection's later packets get the recorded NAT from the tuples: those are always keyed.
		const translated = clonePacket(base);
		Object.assign(translated.ct, { confirmed: true, dnat: true, replSrc: parseIp('10.244.0.5')! });
		const other = clonePacket(translated);
		other.ct.replSrc = parseIp('10.244.0.6')!;
		assert.ok(!key.same(key.record(translated, 0), other));
		// Policy routing by source port reads it for every packet.
		const bySport = decisionKey(true);
		const sport = clonePacket(base);
		sport.sport = 1;
		assert.ok(!bySport.same(bySport.record(base, 0), sport));
	});

	test('what decisions read beyond the fields always keyed, as their walks report it', () => {
		const kube = buildHost({ iptables: kubeProxyDump(100, 2).text }).model;
		const service = kubeProxyDump(100, 2).services.find((s) => s.endpoints.length > 1 && s.proto === 'tcp')!;
		const first = packet(`tcp 192.168.1.7:40000 > ${service.clusterIP}:${service.port} in eth0`);
		// A random branch reads the flow hash: the source port.
		assert.equal(decidePacket(kube, first).reads, READ_BITS.sport);
		const later = clonePacket(first);
		later.ctState = 'ESTABLISHED';
		later.ctStateGiven = true;
		later.ct.confirmed = true;
		assert.equal(decidePacket(kube, later).reads, 0);
		const firewall = buildHost({ iptables: '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -m limit --limit 3/min -j ACCEPT\n-A INPUT -m length --length 1000:2000 -j DROP\n-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN -j REJECT --reject-with tcp-reset\nCOMMIT\n' }).model;
		assert.equal(decidePacket(firewall, packet('tcp 192.168.1.7:40000 > 10.0.0.1:22 in eth0')).reads, READ_BITS.state);
		// The length rule, then the flags rule, then REJECT (which reads flags and ICMP types to decide its answer).
		assert.equal(decidePacket(firewall, packet('tcp 192.168.1.7:40000 > 10.0.0.1:80 in eth0 flags SYN')).reads, READ_BITS.length | READ_BITS.tcp | READ_BITS.icmp);
	});
});
