import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeCapture } from '../../bench/kube-capture-gen.js';
import { kubeProxyDump, prng } from '../../bench/kube-gen.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import { CaptureReader } from '../../source/capture/reader.js';
import { type ReplayOptions, type ReplayResult, Replayer } from '../../source/capture/replay.js';
import { buildHost } from '../../source/host/model.js';
import { tracePacket, type HostModel } from '../../source/trace/pipeline.js';
import { randomRuleset } from '../support/random-rulesets.js';

function replay(host: HostModel, capture: Buffer, options: ReplayOptions): { results: ReplayResult[]; summary: unknown } {
	const replayer = new Replayer(host, options);
	const reader = new CaptureReader();
	reader.feed(capture);
	const results: ReplayResult[] = [];
	let frame;
	while ((frame = reader.next()) !== undefined) results.push(replayer.replay(decodeFrame(frame)));
	return { results, summary: replayer.summary() };
}

/**
 * The Replayer's own tracer (decisions, remembered per key: replay-tracer.ts) against tracePacket, on a
 * kube-proxy node's capture (connections to cluster IPs, NodePorts, pods, nothing; NEW then ESTABLISHED
 * both ways) replayed through the dump it was made for and through random rulesets (NAT, NOTRACK, marks,
 * random branches, matches that read ports, lengths, payloads, tuples or keep state).
 */
test('replay with the memoised decisions gives what it gives with full traces', () => {
	const dump = kubeProxyDump(300, 9);
	const chunks: Buffer[] = [];
	kubeCapture(dump, 2500, (chunk) => chunks.push(Buffer.from(chunk)), 4);
	const capture = Buffer.concat(chunks);
	const random = prng(31);
	const hosts = [buildHost({ iptables: dump.text }).model, ...Array.from({ length: 3 }, () => buildHost({ iptables: randomRuleset(random, 4, true) }).model)];
	for (const [i, host] of hosts.entries()) {
		const memoised = replay(host, capture, {});
		const traced = replay(host, capture, { tracer: tracePacket });
		assert.deepEqual(memoised.results, traced.results, `host ${i}`);
		assert.deepEqual(memoised.summary, traced.summary, `host ${i}`);
		if (i === 0) assert.ok(memoised.results.filter((r) => r.ct === 'NEW').length > 50 && memoised.results.filter((r) => r.ct === 'ESTABLISHED').length > 1000, 'connections made and used');
	}
});
