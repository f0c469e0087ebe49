import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeMixedPcap } from '../../bench/capture-gen.js';
import { kubeCapture } from '../../bench/kube-capture-gen.js';
import { kubeProxyDump } from '../../bench/kube-gen.js';
import { runPcap } from '../../source/capture/command.js';
import { PcapThreadError, runPcapThread } from '../../source/capture/pcap-thread.js';
import { Replayer } from '../../source/capture/replay.js';
import { resolveSource, type SourceFlags } from '../../source/commands/sources.js';
import { REPO } from '../support/paths.js';

const noStdin = async (): Promise<string> => '';

/** `pcap FILE --trace --json` on this thread: its bytes, warnings and error. */
async function here(file: string, source: SourceFlags): Promise<{ out: string; warnings: string[]; error: string | undefined }> {
	const chunks: Buffer[] = [];
	const host = await resolveSource(source, noStdin);
	let error: string | undefined;
	try {
		await runPcap({ file, filter: undefined, json: true, stdin: process.stdin, progress: undefined, replay: new Replayer(host.model), write: (chunk) => void chunks.push(Buffer.from(chunk)) });
	} catch (e) {
		error = (e as Error).message;
	}
	return { out: Buffer.concat(chunks).toString('latin1'), warnings: host.warnings, error };
}

/** The same on the pcap thread (its lines by a second thread), written to a file. */
async function threaded(file: string, source: SourceFlags, dir: string): Promise<{ out: string; warnings: string[]; error: PcapThreadError | undefined }> {
	const outFile = join(dir, 'out.json');
	const fd = openSync(outFile, 'w');
	const warnings: string[] = [];
	let error: PcapThreadError | undefined;
	try {
		await runPcapThread({ file, filter: undefined, source, in: undefined, stdinText: undefined, parallelFrom: 0, fd, warn: (line) => warnings.push(line), progress: undefined });
	} catch (e) {
		if (!(e instanceof PcapThreadError)) throw e;
		error = e;
	} finally {
		closeSync(fd);
	}
	return { out: readFileSync(outFile, 'latin1'), warnings, error };
}

/** A kube-proxy dump and a capture of its node's traffic, written into `dir`. */
function kubeFiles(dir: string, packets: number): { dump: ReturnType<typeof kubeProxyDump>; rules: string; capture: Buffer; kube: string } {
	const dump = kubeProxyDump(200, 5);
	const rules = join(dir, 'kube.save');
	writeFileSync(rules, dump.text);
	const chunks: Buffer[] = [];
	kubeCapture(dump, packets, (chunk) => chunks.push(Buffer.from(chunk)), 3);
	const capture = Buffer.concat(chunks);
	const kube = join(dir, 'kube.pcap');
	writeFileSync(kube, capture);
	return { dump, rules, capture, kube };
}

/**
 * The pcap thread (its own heap; the output written from its threads) gives the bytes, warnings and errors
 * this thread gives: a kube-proxy node's capture through its dump, a mixed capture, a capture cut short,
 * and a dump with a rule netsleuth warns about.
 */
test('the pcap thread writes what this thread writes, and fails as it fails', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'netsleuth-pcap-thread-'));
	try {
		const { dump, rules, capture, kube } = kubeFiles(dir, 6000);
		const mixed = join(dir, 'mixed.pcap');
		writeMixedPcap(mixed, 3000);
		const cut = join(dir, 'cut.pcap');
		writeFileSync(cut, capture.subarray(0, Math.floor(capture.length * 0.6)));
		const warned = join(dir, 'warned.save');
		writeFileSync(warned, dump.text.replace(/\*filter\n([^]*?)COMMIT/, (all, body: string) => `*filter\n${body}-A INPUT -m foobar --x 1 -j ACCEPT\nCOMMIT`));

		for (const [file, source] of [[kube, { rules }], [mixed, { rules }], [cut, { rules }], [kube, { rules: warned }], [mixed, { demo: 'node0' }]] as const) {
			const one = await here(file, source);
			const two = await threaded(file, source, dir);
			const what = `${file} ${JSON.stringify(source)}`;
			assert.ok(one.out.split('\n').length > 1000, `${what}: lines written`);
			assert.equal(two.out, one.out, `${what}: same bytes`);
			assert.deepEqual(two.warnings, one.warnings, `${what}: same warnings`);
			assert.equal(two.error?.message, one.error, `${what}: same error`);
			if (one.error !== undefined) assert.equal(two.error?.kind, 'input', `${what}: a damaged capture is bad input`);
		}
		const warnings = (await threaded(kube, { rules: warned }, dir)).warnings;
		assert.ok(warnings.some((w) => w.includes('"foobar" is not known')), 'the dump’s warning comes across');

		// The host's own errors keep their kind (their exit code).
		assert.equal((await threaded(kube, { rules: join(dir, 'absent.save') }, dir)).error?.kind, 'input');
		const loop = join(dir, 'loop.save');
		writeFileSync(loop, dump.text.replace(/\*filter\n([^]*?)COMMIT/, (all, body: string) => `*filter\n:LA - [0:0]\n:LB - [0:0]\n${body}-A INPUT -j LA\n-A LA -j LB\n-A LB -j LA\nCOMMIT`));
		assert.equal((await threaded(kube, { rules: loop }, dir)).error?.kind, 'loop');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

/** `netsleuth pcap BIG --trace --json | head`: the reader goes away early, and netsleuth stops quietly with 0. */
test('a closed output ends the pcap thread quietly', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'netsleuth-pcap-closed-'));
	try {
		// Past the size from which the CLI runs the pcap thread (4 MB).
		const { rules, capture, kube: file } = kubeFiles(dir, 16000);
		assert.ok(capture.length > 4 << 20, `${capture.length} bytes`);
		const child = spawn(process.execPath, [join(REPO, 'bin', 'netsleuth.js'), 'pcap', file, '--trace', '--rules', rules, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
		let stderr = '';
		child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
		let first = '';
		child.stdout.once('data', (data: Buffer) => {
			first = data.toString().slice(0, 100);
			child.stdout.destroy();
		});
		const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
		assert.match(first, /^\{"n":1,/);
		assert.equal(stderr, '');
		assert.equal(code, 0);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
