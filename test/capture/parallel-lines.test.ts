import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeMixedPcap } from '../../bench/capture-gen.js';
import { kubeCapture } from '../../bench/kube-capture-gen.js';
import { kubeProxyDump } from '../../bench/kube-gen.js';
import { runPcap } from '../../source/capture/command.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import { ParallelLines } from '../../source/capture/parallel-lines.js';
import { CaptureReader } from '../../source/capture/reader.js';
import { Replayer } from '../../source/capture/replay.js';
import { buildHost } from '../../source/host/model.js';
import type { HostModel } from '../../source/trace/pipeline.js';

/** `pcap FILE --trace --json`'s bytes and error, with the lines written by this thread or by a worker (parallelFrom 0). */
async function traced(file: string, host: HostModel, parallel: boolean, filter?: string): Promise<{ out: string; error: string | undefined }> {
	const chunks: Buffer[] = [];
	let error: string | undefined;
	try {
		await runPcap({
			file, filter, json: true, stdin: process.stdin, progress: undefined, replay: new Replayer(host),
			write: (chunk) => void chunks.push(Buffer.from(chunk)),
			...(parallel ? { parallelFrom: 0 } : {}),
		});
	} catch (e) {
		error = (e as Error).message;
	}
	return { out: Buffer.concat(chunks).toString('latin1'), error };
}

/**
 * The second thread writes the same bytes as one thread: a kube-proxy node's capture replayed through its
 * dump (NEW, ESTABLISHED, DNAT), a mixed capture (ARP, fragments, tunnels, ICMP errors: skipped packets
 * with a why), with a filter, and a capture cut short (the lines before the damage, then the same error).
 */
test('lines written by a worker thread are the bytes one thread writes', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'netsleuth-parallel-'));
	try {
		const dump = kubeProxyDump(200, 5);
		const host = buildHost({ iptables: dump.text }).model;
		const chunks: Buffer[] = [];
		kubeCapture(dump, 6000, (chunk) => chunks.push(Buffer.from(chunk)), 3);
		const kube = join(dir, 'kube.pcap');
		const capture = Buffer.concat(chunks);
		writeFileSync(kube, capture);
		const mixed = join(dir, 'mixed.pcap');
		writeMixedPcap(mixed, 3000);
		const cut = join(dir, 'cut.pcap');
		writeFileSync(cut, capture.subarray(0, Math.floor(capture.length * 0.6)));

		for (const [file, filter] of [[kube, undefined], [mixed, undefined], [kube, 'tcp and not port 443'], [cut, undefined]] as const) {
			const one = await traced(file, host, false, filter);
			const two = await traced(file, host, true, filter);
			const what = `${file} ${filter ?? ''}`;
			assert.ok(one.out.split('\n').length > 1000, `${what}: lines written`);
			assert.equal(two.out, one.out, `${what}: same bytes`);
			assert.equal(two.error, one.error, `${what}: same error`);
		}
		assert.match((await traced(cut, host, true)).error ?? '', /byte offset \d+/, 'the cut capture is refused with its offset');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

/**
 * The ring at its smallest useful size (1 KB, a few dozen records): the replay waits for room and the
 * writer for records over and over, a verdict's bytes go again after the ring wrapped many times, and the
 * lines are still the bytes one thread writes.
 */
test('a ring far smaller than the output: both sides wait, wrap, and the bytes are the same', async () => {
	const dump = kubeProxyDump(100, 8);
	const host = buildHost({ iptables: dump.text }).model;
	const chunks: Buffer[] = [];
	kubeCapture(dump, 3000, (chunk) => chunks.push(Buffer.from(chunk)), 5);
	const capture = Buffer.concat(chunks);
	const dir = mkdtempSync(join(tmpdir(), 'netsleuth-ring-'));
	try {
		const file = join(dir, 'kube.pcap');
		writeFileSync(file, capture);
		const one = (await traced(file, host, false)).out;
		const out: Buffer[] = [];
		const lines = new ParallelLines((chunk) => void out.push(Buffer.from(chunk)), undefined, { ringBytes: 1024 });
		const replayer = new Replayer(host);
		const reader = new CaptureReader();
		// In pieces, as a file stream hands them over.
		for (let at = 0; at < capture.length; at += 50_000) {
			const piece = capture.subarray(at, at + 50_000);
			lines.feed(piece);
			reader.feed(piece);
			let frame;
			while ((frame = reader.next()) !== undefined) lines.put(replayer.replay(decodeFrame(frame)));
			lines.publish();
		}
		await lines.finish();
		const two = Buffer.concat(out).toString('latin1');
		assert.ok(two.length > 500_000, 'lines written');
		assert.equal(two, one.slice(0, one.lastIndexOf('{"summary"')));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
