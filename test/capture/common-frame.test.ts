import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { kubeCapture } from '../../bench/kube-capture-gen.js';
import { kubeProxyDump } from '../../bench/kube-gen.js';
import { CommonFrame } from '../../source/capture/common-frame.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import type { Frame } from '../../source/capture/frame.js';
import { Replayer } from '../../source/capture/replay.js';
import { commonEnginePacket, toEnginePacket } from '../../source/capture/to-packet.js';
import { loadDemo } from '../../source/host/demo/index.js';
import { buildHost } from '../../source/host/model.js';
import type { HostModel } from '../../source/trace/pipeline.js';
import { corpusCaptures, PCAP_DIR, pcapCorpusPresent, readAll } from './support/corpus.js';
import { generatedCaptures } from './support/generated.js';

/** Captures at hand: generated ones of every layer and link type, a kube node's, and the corpus's when it is there. */
function captures(dump: ReturnType<typeof kubeProxyDump>): { name: string; frames: Frame[] }[] {
	const out = generatedCaptures().map((c) => ({ name: c.name, frames: readAll(c.bytes).frames }));
	const chunks: Buffer[] = [];
	kubeCapture(dump, 3000, (chunk) => chunks.push(Buffer.from(chunk)), 4);
	out.push({ name: 'kube.pcap', frames: readAll(Buffer.concat(chunks)).frames });
	if (pcapCorpusPresent) for (const name of corpusCaptures()) out.push({ name, frames: readAll(readFileSync(`${PCAP_DIR}${name}`)).frames });
	else console.log('# corpus not found beside the clone: the common-frame checks use generated captures only');
	return out;
}

/**
 * CommonFrame reads the common frames straight from their bytes: for every frame it takes, the engine's
 * packet, the connection extras and what tells copies apart must be what the decoder gives; replays that
 * take the common frames that way give the same results, packet by packet, as replays that decode all.
 */
test('frames read without decoding give the packet the decoder gives', () => {
	const dump = kubeProxyDump(100, 9);
	let taken = 0;
	let left = 0;
	const common = new CommonFrame();
	for (const { name, frames } of captures(dump)) {
		for (const frame of frames) {
			if (!common.read(frame)) {
				left++;
				continue;
			}
			taken++;
			const d = decodeFrame(frame);
			const where = `${name} packet ${frame.n}`;
			assert.equal(d.ip?.kind, 'ipv4', where);
			assert.ok(d.transport?.kind === 'tcp' || d.transport?.kind === 'udp', where);
			const ip = d.ip!.kind === 'ipv4' ? d.ip! : assert.fail(where);
			assert.ok(!ip.mf && ip.fragOffset === 0, where);
			for (const linkInfo of [{}, { in: 'eth7' }]) assert.deepStrictEqual(commonEnginePacket(frame, common, linkInfo), toEnginePacket(d, linkInfo, false), where);
			assert.equal(common.srcMac, d.eth!.src, where);
			assert.equal(common.id, ip.id, where);
			assert.equal(common.ipAt - frame.start, ip.offset, where);
			const t = d.transport!;
			if (t.kind === 'tcp') assert.deepEqual([common.seq, common.ack], [t.seq, t.ack], where);
		}
	}
	assert.ok(taken > 2000 && left > 50, `${taken} frames read without decoding, ${left} decoded`);
});

test('a replay that reads common frames without decoding them gives every result a decoding replay gives', () => {
	const dump = kubeProxyDump(100, 9);
	const hosts: [string, HostModel][] = [['kube dump', buildHost({ iptables: dump.text }).model], ['demo node0', buildHost(loadDemo('node0').raw).model]];
	const common = new CommonFrame();
	for (const { name, frames } of captures(dump)) {
		for (const [hostName, host] of hosts) {
			const decoding = new Replayer(host);
			const reading = new Replayer(host);
			for (const frame of frames) {
				const expected = decoding.replay(decodeFrame(frame));
				const got = common.read(frame) ? reading.replayCommon(frame, common) : reading.replay(decodeFrame(frame));
				assert.deepStrictEqual(got, expected, `${name} through ${hostName}, packet ${frame.n}`);
			}
			assert.deepStrictEqual(reading.summary(), decoding.summary(), `${name} through ${hostName}: summary`);
		}
	}
});
