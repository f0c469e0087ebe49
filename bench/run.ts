/**
 * netsleuth's benchmark (`npm run bench`): generates its inputs in bench/out/ (never committed), runs each
 * case RUNS times after a warm-up, and prints one table: median, min, max, CPU time, peak RSS, and ratios
 * against anchors measured in the same run on the same input (`iptables-restore --test` in a throwaway
 * network namespace, nf_tables backend; `cat FILE > /dev/null`; `tshark -r` for captures; bare `node`).
 *
 *   npm run bench                          every case
 *   npm run bench -- --runs 3 --only parse  fewer runs, cases whose name contains "parse"
 *   npm run bench -- --packets 100000       a smaller capture
 *   npm run bench -- --no-pcap --no-tshark  skip the capture case or only its tshark anchor
 *
 * The table also goes to bench/out/results.md and bench/out/results.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeProxyDump, prng, type Service } from './kube-gen.js';
import { writeKubeCapture } from './kube-capture-gen.js';
import { writeMixedCapture } from './pcap-gen.js';
import { tuiRun } from './tui-probe.js';
import { bundleIsFresh } from '../source/tui/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(REPO, 'bench', 'out');
const CLI = join(REPO, 'bin', 'netsleuth.js');
const CHILD = join(REPO, 'dist', 'bench', 'child.js');

function option(name: string): string | undefined {
	const i = process.argv.indexOf(name);
	return i < 0 ? undefined : process.argv[i + 1];
}
const RUNS = Number(option('--runs') ?? 5);
const ONLY = option('--only');
const PACKETS = Number(option('--packets') ?? 1_000_000);
const WITH_PCAP = !process.argv.includes('--no-pcap');
const WITH_TSHARK = !process.argv.includes('--no-tshark');

interface Sample {
	/** Wall time, ms. */
	readonly ms: number;
	/** User + system CPU time, ms, when known. */
	readonly cpuMs?: number;
	/** Peak resident set, KB, when known. */
	readonly rssKB?: number;
}

interface Row {
	readonly name: string;
	readonly input: string;
	readonly unit: 'ms' | 'µs';
	readonly samples: readonly Sample[];
	/** Anchor names (keys of `anchors`) to show ratios against. */
	readonly against: readonly string[];
	readonly target?: { readonly text: string; readonly met: (median: number, anchors: ReadonlyMap<string, number>) => boolean };
	readonly note?: string;
	readonly anchor?: boolean;
	/** Items (packets) per run: the table adds the rate. */
	readonly items?: number;
}

const rows: Row[] = [];
/** Median wall ms of each anchor, by name ("iptables-restore --test kube-10000"). */
const anchors = new Map<string, number>();

const median = (xs: readonly number[]): number => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const HAS_TIME = existsSync('/usr/bin/time');

/**
 * The TUI runs its bundle only when it is newer than tsc's output (source/tui/index.ts): in a checkout
 * others compile while the benchmark runs, build it again rather than measure the unbundled TUI.
 */
function freshBundle(): void {
	if (bundleIsFresh()) return;
	execFileSync(process.execPath, [join(REPO, 'bin', 'bundle-tui.mjs')], { stdio: 'inherit' });
}

/** Runs a command (stdout to /dev/null unless `stdout` is given), timed by the wall clock; CPU and RSS from GNU time. */
function runCommand(command: string, args: readonly string[], stdout = '/dev/null'): Sample {
	const out = openSync(stdout, 'w');
	try {
		const argv = HAS_TIME ? ['-f', '@@%U %S %M', command, ...args] : [...args];
		const t0 = performance.now();
		const result = spawnSync(HAS_TIME ? '/usr/bin/time' : command, argv, { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
		const ms = performance.now() - t0;
		if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-2000)}`);
		const line = result.stderr.split('\n').reverse().find((l) => l.startsWith('@@'));
		if (!line) return { ms };
		const [user, sys, rss] = line.slice(2).split(' ').map(Number) as [number, number, number];
		return { ms, cpuMs: (user + sys) * 1000, rssKB: rss };
	} finally {
		closeSync(out);
	}
}

function repeat<T = Sample>(fn: () => T, runs = RUNS): T[] {
	fn(); // warm-up: page cache, JIT caches, lazily loaded libraries
	const samples: T[] = [];
	for (let i = 0; i < runs; i++) samples.push(fn());
	return samples;
}

/** Reads and parses a file in a fresh node process (bench/child.ts), as the CLI does. */
function parseInChild(mode: 'parse' | 'parse-eager', file: string): Sample {
	const child = spawnSync(process.execPath, [CHILD, mode, file], { encoding: 'utf8' });
	if (child.status !== 0) throw new Error(child.stderr);
	const r = JSON.parse(child.stdout) as { ms: number; cpuMs: number; rssKB: number };
	return { ms: r.ms, cpuMs: r.cpuMs, rssKB: r.rssKB };
}

function selected(name: string): boolean {
	return ONLY === undefined || name.includes(ONLY);
}

function addAnchor(name: string, input: string, samples: Sample[], note?: string): void {
	anchors.set(`${name} ${input}`, median(samples.map((s) => s.ms)));
	rows.push({ name, input, unit: 'ms', samples, against: [], anchor: true, ...(note ? { note } : {}) });
	report(rows.at(-1)!);
}

function addCase(row: Row): void {
	rows.push(row);
	report(row);
}

function report(row: Row): void {
	const m = median(row.samples.map((s) => s.ms));
	process.stderr.write(`  ${row.anchor ? 'anchor' : 'case  '} ${row.name} [${row.input}]: median ${m.toFixed(row.unit === 'µs' ? 1 : 0)} ${row.unit}\n`);
}

// ── machine ──────────────────────────────────────────────────────────────────────────────────────────
const cpus = os.cpus();
const machine = {
	cpu: cpus[0]?.model.trim() ?? 'unknown',
	cores: os.availableParallelism(),
	memoryGiB: Math.round(os.totalmem() / 2 ** 30),
	node: process.version,
	kernel: os.release(),
	loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
	date: new Date().toISOString(),
};

// ── inputs ───────────────────────────────────────────────────────────────────────────────────────────
mkdirSync(OUT, { recursive: true });
const dumps = new Map<number, { file: string; lines: number; services: readonly Service[] }>();
for (const count of [1000, 10_000]) {
	const file = join(OUT, `kube-${count}.iptables-save`);
	const dump = kubeProxyDump(count);
	if (!existsSync(file) || readFileSync(file, 'utf8') !== dump.text) writeFileSync(file, dump.text);
	dumps.set(count, { file, lines: dump.lines, services: dump.services });
	process.stderr.write(`input ${file}: ${dump.lines} lines, ${(dump.text.length / 1e6).toFixed(1)} MB\n`);
}

/** Packets for the in-process trace: 90 % to a service's cluster IP and port, 10 % to nothing in particular. */
function packetsFor(services: readonly Service[], count: number): Record<string, string>[] {
	const random = prng(42);
	const withEndpoints = services.filter((s) => s.endpoints.length > 0);
	const list: Record<string, string>[] = [];
	for (let i = 0; i < count; i++) {
		const s = withEndpoints[Math.floor(random() * withEndpoints.length)]!;
		const miss = random() < 0.1;
		list.push({
			proto: s.proto, src: `192.168.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}`, dst: miss ? `10.97.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}` : s.clusterIP,
			sport: String(1024 + Math.floor(random() * 60000)), dport: String(s.port), in: 'eth0',
		});
	}
	return list;
}

/** The last service of the dump with endpoints: the worst case for a linear walk of KUBE-SERVICES. */
function lastService(services: readonly Service[]): Service {
	return [...services].reverse().find((s) => s.endpoints.length > 0 && s.proto === 'tcp')!;
}

// ── anchors and cases ────────────────────────────────────────────────────────────────────────────────
const restore = ['/usr/sbin/iptables-nft-restore', '/sbin/iptables-nft-restore'].find(existsSync)
	?? (() => {
		try {
			const which = execFileSync('sh', ['-c', 'command -v iptables-restore'], { encoding: 'utf8' }).trim();
			return /nf_tables/.test(execFileSync(which, ['--version'], { encoding: 'utf8' })) ? which : undefined;
		} catch {
			return undefined;
		}
	})();
const netns = `nsbench-${process.pid}`;
let netnsMade = false;
function removeNetns(): void {
	if (netnsMade) spawnSync('ip', ['netns', 'del', netns]);
	netnsMade = false;
}
process.on('exit', removeNetns);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {
	removeNetns();
	process.exit(130);
});

try {
	const help = 'netsleuth --help';
	if (selected(help) || selected('start-up')) {
		addAnchor('node -e 0', 'start-up', repeat(() => runCommand(process.execPath, ['-e', '0'])));
		addCase({
			name: help, input: 'start-up', unit: 'ms', samples: repeat(() => runCommand(process.execPath, [CLI, '--help'])), against: ['node -e 0 start-up'],
			target: { text: '≤ 150 ms', met: (m) => m <= 150 },
		});
	}

	for (const count of [10_000, 1000]) {
		const { file, services } = dumps.get(count)!;
		const input = `kube-${count}`;
		const wantParse = selected(`parse ${input}`);
		const wantTrace = selected(`trace ${input}`) || selected(`netsleuth trace ${input}`);
		if (!wantParse && !wantTrace) continue;
		addAnchor('cat FILE > /dev/null', input, repeat(() => runCommand('cat', [file])));
		if (restore && process.getuid?.() === 0) {
			if (!netnsMade) {
				execFileSync('ip', ['netns', 'add', netns]);
				netnsMade = true;
			}
			addAnchor('iptables-restore --test', input, repeat(() => runCommand('ip', ['netns', 'exec', netns, restore, '--test', file])), 'in a throwaway network namespace, nf_tables backend');
		} else process.stderr.write('  (no iptables-restore --test anchor: needs root and iptables-nft-restore)\n');
		const ratios = [`iptables-restore --test ${input}`, `cat FILE > /dev/null ${input}`];
		if (wantParse) {
			for (const mode of ['parse', 'parse-eager'] as const) {
				addCase({
					name: mode === 'parse' ? 'parse (in process, cold)' : 'parse, every rule built now (lazy: false)', input, unit: 'ms', against: ratios,
					samples: repeat(() => parseInChild(mode, file)),
					note: mode === 'parse' ? 'as the CLI parses: every line checked; the common kube-proxy rules built when first looked at' : 'the same ruleset with every rule built at once',
					...(count === 10_000 && mode === 'parse' ? { target: { text: '≤ 0.25 × iptables-restore --test', met: (m: number, a: ReadonlyMap<string, number>) => a.has(ratios[0]!) && m <= 0.25 * a.get(ratios[0]!)! } } : {}),
				});
			}
		}
		if (wantTrace) {
			const s = lastService(services);
			const packet = ['tcp', `192.168.7.9:40000`, '>', `${s.clusterIP}:${s.port}`, 'in', 'eth0'];
			const jsonFile = join(OUT, `trace-${count}.json`);
			addCase({
				name: 'netsleuth trace --rules DUMP --json (end to end)', input, unit: 'ms', against: ratios,
				samples: repeat(() => runCommand(process.execPath, [CLI, 'trace', '--rules', file, '--json', ...packet], jsonFile)),
				note: `${packet.join(' ')} (the last service in KUBE-SERVICES); ${(statSync(jsonFile).size / 1e6).toFixed(1)} MB of JSON`,
				...(count === 10_000 ? { target: { text: '≤ 1.5 s', met: (m: number) => m <= 1500 } } : {}),
			});
			const packetsFile = join(OUT, `packets-${count}.json`);
			writeFileSync(packetsFile, JSON.stringify(packetsFor(services, 4000)));
			for (const [json, index] of [[false, true], [false, false], [true, true]] as const) {
				const batch = index ? 1000 : 100;
				const child = spawnSync(process.execPath, [CHILD, 'trace', file, packetsFile, String(batch), String(RUNS), ...(json ? ['--json'] : [])], {
					encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NETSLEUTH_CHAIN_INDEX: index ? '1' : '0' },
				});
				if (child.status !== 0) throw new Error(child.stderr);
				const r = JSON.parse(child.stdout) as { samples: number[]; rssKB: number };
				addCase({
					name: json ? 'tracePacket + JSON.stringify (in process)' : index ? 'tracePacket (in process)' : 'tracePacket, rule by rule (chain index off)', input, unit: 'µs', against: [],
					samples: r.samples.map((ms) => ({ ms: ms * 1000, rssKB: r.rssKB })),
					note: `per packet, mean of ${batch.toLocaleString('en')} packets per run (90 % to a service, 10 % to no service), after as many to warm up`,
					...(count === 10_000 && !json && index ? { target: { text: '≤ 1 ms', met: (m: number) => m <= 1000 } } : {}),
				});
			}
		}
	}

	// A restore file of -I lines, each inserting at the head of one chain: linear, not quadratic.
	if (selected('parse insert')) {
		const count = 200_000;
		const file = join(OUT, `insert-${count}.iptables-restore`);
		const lines = ['*filter', ':X - [0:0]'];
		for (let i = 0; i < count; i++) lines.push(`-I X -s 10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32 -j ACCEPT`);
		const text = `${[...lines, 'COMMIT'].join('\n')}\n`;
		if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
		addCase({
			name: 'parse -I lines (in process, cold)', input: `insert-${count}`, unit: 'ms', against: [],
			samples: repeat(() => parseInChild('parse', file)),
			note: `${count.toLocaleString('en')} lines \`-I X -s ADDRESS -j ACCEPT\`, each inserted at the head of chain X (every rule built: the quick reader takes -A lines only)`,
		});
	}

	// Captures: `netsleuth pcap` (source/capture, another engineer's) when this build has it.
	const hasPcap = existsSync(join(REPO, 'dist', 'source', 'capture', 'command.js'));
	if (WITH_PCAP && hasPcap && selected('pcap')) {
		const file = join(OUT, `capture-${PACKETS}.pcap`);
		if (!existsSync(file)) {
			const t0 = performance.now();
			writeMixedCapture(file, PACKETS);
			process.stderr.write(`input ${file}: ${PACKETS} packets, ${(statSync(file).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
		}
		const input = `capture-${PACKETS}`;
		addAnchor('cat FILE > /dev/null', input, repeat(() => runCommand('cat', [file])));
		const tshark = ['/usr/bin/tshark', '/usr/local/bin/tshark'].find(existsSync);
		if (tshark && WITH_TSHARK) addAnchor('tshark -r FILE > /dev/null', input, repeat(() => runCommand(tshark, ['-n', '-r', file]), Math.min(RUNS, 3)), 'fewer runs: it is slow');
		const samples = repeat(() => runCommand(process.execPath, [CLI, 'pcap', file, '--json']));
		const peakKB = Math.max(...samples.map((x) => x.rssKB ?? 0));
		addCase({
			name: 'netsleuth pcap FILE --json > /dev/null', input, unit: 'ms', against: [`tshark -r FILE > /dev/null ${input}`, `cat FILE > /dev/null ${input}`],
			samples,
			note: `${PACKETS} packets`,
			items: PACKETS,
			target: { text: `≥ 500,000 packets/s, peak RSS ≤ 250 MB`, met: (m) => PACKETS / (m / 1000) >= 500_000 && peakKB <= 250 * 1024 },
		});
	}
	// `netsleuth pcap --trace` on the 10,000-service dump: a kube-proxy node's capture (bench/kube-capture-gen.ts),
	// so that the replay walks KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-* for each connection's first packet.
	if (WITH_PCAP && hasPcap && selected('pcap')) {
		const file = join(OUT, `kube-capture-${PACKETS}.pcap`);
		if (!existsSync(file)) {
			const t0 = performance.now();
			writeKubeCapture(file, kubeProxyDump(10_000), PACKETS);
			process.stderr.write(`input ${file}: ${PACKETS} packets, ${(statSync(file).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
		}
		const rules = dumps.get(10_000)!.file;
		const input = `kube-capture-${PACKETS}`;
		addAnchor('cat FILE > /dev/null', input, repeat(() => runCommand('cat', [file])));
		const samples = repeat(() => runCommand(process.execPath, [CLI, 'pcap', file, '--trace', '--rules', rules, '--json']));
		const peakKB = Math.max(...samples.map((x) => x.rssKB ?? 0));
		addCase({
			name: 'netsleuth pcap FILE --trace --rules DUMP --json > /dev/null', input, unit: 'ms', against: [`cat FILE > /dev/null ${input}`],
			samples,
			note: `${PACKETS} packets of flows to the 10,000-service dump's cluster IPs, NodePorts and pods, replayed through it`,
			items: PACKETS,
			target: { text: '≥ 250,000 packets/s, peak RSS ≤ 250 MB', met: (m) => PACKETS / (m / 1000) >= 250_000 && peakKB <= 250 * 1024 },
		});
	}
	// The TUI on the 10,000-service dump, driven in a tmux pane: first frame, and key → frame while scrolling.
	const hasTmux = spawnSync('tmux', ['-V']).status === 0;
	if (selected('tui') && !hasTmux) process.stderr.write('  (no TUI cases: tmux is not installed)\n');
	if (selected('tui') && hasTmux) {
		const { file } = dumps.get(10_000)!;
		const errFile = join(OUT, 'tui-debug.txt');
		const run = (scroll: number) => {
			freshBundle();
			return tuiRun(process.execPath, CLI, file, errFile, scroll);
		};
		const first = repeat(() => run(0));
		addCase({
			name: 'TUI first frame (tmux pane)', input: 'kube-10000', unit: 'ms', against: [],
			samples: first.map((f) => ({ ms: f.paneMs })),
			note: `netsleuth --rules DUMP in a 160×45 tmux pane, from spawn to the title line on the pane (polled every 10 ms), drawn before the host is read; the TUI's own report: median ${median(first.map((f) => f.firstFrameMs)).toFixed(0)} ms`,
			target: { text: '≤ 1.5 s', met: (m) => m <= 1500 },
		});
		addCase({
			name: 'TUI host shown (tmux pane)', input: 'kube-10000', unit: 'ms', against: [],
			samples: first.map((f) => ({ ms: f.hostPaneMs })),
			note: `the same runs, from spawn to the header with the rule count (the dump read and parsed, the Trace view drawn); the TUI's own report: median ${median(first.map((f) => f.hostShownMs)).toFixed(0)} ms`,
		});
		const SCROLL = 150;
		const scrolls = repeat(() => {
			const { keys } = run(SCROLL);
			if (!keys) throw new Error('the TUI reported no key timings');
			return { sample: { ms: keys.p95 }, keys };
		}, Math.min(RUNS, 3));
		addCase({
			name: 'TUI key → frame while scrolling Rules, p95', input: 'kube-10000', unit: 'ms', against: [],
			samples: scrolls.map((s) => s.sample),
			note: `${SCROLL} Down keys 40 ms apart in the Rules view of 107,414 rules, from the key handler to ink's frame (as the TUI reports with --debug); each run's p95 (medians ${scrolls.map((s) => s.keys.median.toFixed(0)).join(', ')} ms; frames ${scrolls.map((s) => s.keys.count).join(', ')}); fewer runs`,
			target: { text: '≤ 50 ms p95', met: (m) => m <= 50 },
		});
	}
} finally {
	removeNetns();
}

// ── the table ────────────────────────────────────────────────────────────────────────────────────────
const fmt = (ms: number, unit: 'ms' | 'µs') => (unit === 'µs' ? `${ms.toFixed(0)} µs` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const lines: string[] = [];
lines.push(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; node ${machine.node}; Linux ${machine.kernel}; load average at start ${machine.loadavg}; ${machine.date.slice(0, 10)}`);
lines.push(`Each case ${RUNS} times after a warm-up; ratios are of medians measured in this run on the same input.`);
lines.push('');
lines.push('| case | input | median | min | max | CPU (median) | peak RSS | ratios | target |');
lines.push('|---|---|---:|---:|---:|---:|---:|---|---|');
for (const row of rows) {
	const walls = row.samples.map((s) => s.ms);
	const m = median(walls);
	const cpu = row.samples.every((s) => s.cpuMs !== undefined) ? fmt(median(row.samples.map((s) => s.cpuMs!)), row.unit) : '';
	const rss = row.samples.some((s) => s.rssKB !== undefined) ? `${(Math.max(...row.samples.map((s) => s.rssKB ?? 0)) / 1024).toFixed(0)} MB` : '';
	const ratios = row.against.filter((a) => anchors.has(a)).map((a) => `${(m / anchors.get(a)!).toFixed(a.startsWith('cat') ? 0 : 2)} × ${a.replace(/ (kube|capture)-\d+$|start-up$/, '').trim()}`).join('<br>');
	const target = row.target ? `${row.target.text} ${row.target.met(m, anchors) ? '✅' : '❌'}` : row.anchor ? '(anchor)' : '';
	const name = row.note ? `${row.name}<br><sub>${row.note}</sub>` : row.name;
	const rate = row.items ? `<br>${Math.round(row.items / (m / 1000)).toLocaleString('en')}/s` : '';
	lines.push(`| ${name} | ${row.input} | ${fmt(m, row.unit)}${rate} | ${fmt(Math.min(...walls), row.unit)} | ${fmt(Math.max(...walls), row.unit)} | ${cpu} | ${rss} | ${ratios} | ${target} |`);
}
const table = lines.join('\n');
console.log(table);
writeFileSync(join(OUT, 'results.md'), `${table}\n`);
writeFileSync(join(OUT, 'results.json'), `${JSON.stringify({ machine, runs: RUNS, rows, anchors: Object.fromEntries(anchors) }, null, 2)}\n`);
