import { once } from 'node:events';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import meow from 'meow';
import { safeText } from './views/safe-text.js';
import type { SourceFlags } from './commands/sources.js';
import type { ShowWhat } from './commands/show.js';
import { DEMO_NAMES } from './host/demo/names.js';

// Each command loads its modules when it runs (dynamic imports below): `netsleuth --help` loads meow and
// this file only, and no one-shot command loads the engine parts it does not use, nor ink/React.

const HELP = `
  What does this Linux host do with this packet, and why?

  Usage
    $ netsleuth [--pcap FILE] [source]                the interactive view (without a terminal: the show tables,
                                                      or with --pcap what pcap FILE [--trace source] prints)
    $ netsleuth trace  [source] [packet] [--json] [--verbose]
    $ netsleuth route get DST [--from SRC] [--iif IF] [--oif IF] [--mark N] [--tos N] [source] [--json]
    $ netsleuth show rules|routes|links|bridges [source] [--json]
    $ netsleuth pcap FILE|- [--filter EXPR] [--json]   list a pcap/pcapng capture
    $ netsleuth pcap FILE|- --trace [source] [--in IF] [--filter EXPR] [--json [--hits]]
                                                      replay it against the host with simulated conntrack:
                                                      each packet's conntrack state, fate and deciding rule
                                                      (--hits: and every rule it matched, as trace's hits)
    $ netsleuth snapshot [-o FILE] [--netns NAME]     save this host's state (- for stdout)

  Source (default: the live host, read-only)
    --demo [NAME]        the handout's Calico node: ${DEMO_NAMES.join(', ')}
    --snapshot FILE|DIR  a netsleuth snapshot file, or an extracted sosreport directory
    --netns NAME         a named network namespace of this host
    --rules FILE         iptables-save output (- for stdin)     --rules6 FILE   ip6tables-save output
    --routes FILE        ip -j route show table all             --ip-rules FILE ip -j rule
    --links FILE         ip -j -d addr                          --sysctl FILE   sysctl -a lines
    --ipset FILE         ipset save

  Packet
    tcp 10.2.67.113:51000 '>' 10.0.0.1:22 in eth0     (also: out IF, mark N, state S, flags F, type T, mac M, dmac M, local)
    or --proto tcp|udp|icmp|icmpv6|N --src IP --dst IP --sport N --dport N --in IF --out IF
       --src-mac MAC --dst-mac MAC --icmp-type N[/CODE] --tcp-flags SYN,ACK --mark N --state NEW|ESTABLISHED|RELATED|INVALID|UNTRACKED --local
    or --pcap FILE --packet N                           the N-th packet of a capture (1-based)

  Exit codes: 0 success · 1 bad input · 2 usage error · 3 the host could not be read

  Examples
    $ netsleuth trace --demo reject-ip tcp 10.2.67.113:51000 '>' 172.16.6.251:22 in ens32
    $ netsleuth route get 192.0.2.101 --demo --json
`;

/** `--demo` alone means node0, and `--rules -` reads stdin: spell both out before meow sees them. */
function normaliseArgv(argv: string[]): string[] {
	const out = [...argv];
	for (let i = 0; i < out.length; i++) {
		if (out[i] === '--demo' && !(DEMO_NAMES as readonly string[]).includes(out[i + 1] ?? '')) out.splice(i + 1, 0, 'node0');
		// The parser would take a lone "-" (stdin) for an argument of its own.
		if (out[i]!.startsWith('--') && !out[i]!.includes('=') && out[i + 1] === '-') out.splice(i, 2, `${out[i]}=-`);
	}
	return out;
}

const KNOWN_FLAGS = {
	json: { type: 'boolean', default: false },
	verbose: { type: 'boolean', shortFlag: 'v', default: false },
	debug: { type: 'boolean', default: false },
	demo: { type: 'string' },
	netns: { type: 'string' },
	snapshot: { type: 'string' },
	rules: { type: 'string' },
	rules6: { type: 'string' },
	routes: { type: 'string' },
	ipRules: { type: 'string' },
	links: { type: 'string' },
	sysctl: { type: 'string' },
	ipset: { type: 'string' },
	proto: { type: 'string' },
	src: { type: 'string' },
	dst: { type: 'string' },
	sport: { type: 'string' },
	dport: { type: 'string' },
	in: { type: 'string' },
	out: { type: 'string' },
	srcMac: { type: 'string' },
	dstMac: { type: 'string' },
	icmpType: { type: 'string' },
	tcpFlags: { type: 'string' },
	mark: { type: 'string' },
	state: { type: 'string' },
	local: { type: 'boolean' },
	from: { type: 'string' },
	iif: { type: 'string' },
	oif: { type: 'string' },
	tos: { type: 'string' },
	filter: { type: 'string' },
	pcap: { type: 'string' },
	packet: { type: 'string' },
	trace: { type: 'boolean', default: false },
	hits: { type: 'boolean', default: false },
	output: { type: 'string', shortFlag: 'o' },
} as const;

class UsageError extends Error {}

async function readStdin(): Promise<string> {
	if (process.stdin.isTTY) throw new UsageError('"-" reads from standard input, but standard input is a terminal');
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
	const cli = meow(HELP, {
		importMeta: import.meta,
		argv: normaliseArgv(process.argv.slice(2)),
		allowUnknownFlags: true,
		flags: KNOWN_FLAGS,
	});
	const f = cli.flags;
	const unknown = Object.keys(f).filter((key) => !(key in KNOWN_FLAGS));
	if (unknown.length) throw new UsageError(`unknown option --${unknown[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} (see netsleuth --help)`);
	const source: SourceFlags = {};
	for (const key of ['snapshot', 'netns', 'demo', 'rules', 'rules6', 'routes', 'ipRules', 'links', 'sysctl', 'ipset'] as const) {
		if (f[key] !== undefined) source[key] = f[key];
	}
	const colour = process.stdout.isTTY === true && !('NO_COLOR' in process.env) && !f.json;
	const [command, ...rest] = cli.input;
	let output: string;
	switch (command) {
		case 'trace': {
			const { runTrace } = await import('./commands/trace.js');
			output = await runTrace({ words: rest, flags: f, source, json: f.json, verbose: f.verbose, colour, readStdin, warn });
			break;
		}
		case 'route':
			if (rest[0] !== 'get' || rest.length !== 2) throw new UsageError('usage: netsleuth route get DST [--from SRC] [--iif IF] [--oif IF] [--mark N] [--tos N]');
			const { runRoute } = await import('./commands/route-command.js');
			output = await runRoute({ dst: rest[1]!, flags: f, source, json: f.json, readStdin, warn });
			break;
		case 'pcap':
			if (rest.length !== 1) throw new UsageError('usage: netsleuth pcap FILE|- [--filter EXPR] [--trace [source] [--in IF]] [--json]');
			if (f.hits && !(f.trace && f.json)) throw new UsageError('--hits lists each replayed packet\'s rule hits in the JSON: it needs --trace --json');
			if (rest[0] === '-' && process.stdin.isTTY) throw new UsageError('"-" reads the capture from standard input, but standard input is a terminal');
			if (rest[0] === '-' && f.trace && Object.values(source).includes('-')) throw new UsageError('the capture and the host state cannot both come from standard input');
			return listCapture(rest[0]!, f.trace, source, f);
		case 'show': {
			const { runShow, SHOW_WHAT } = await import('./commands/show.js');
			if (rest.length !== 1 || !(SHOW_WHAT as readonly string[]).includes(rest[0]!)) throw new UsageError(`usage: netsleuth show ${SHOW_WHAT.join('|')} [source] [--json]`);
			output = await runShow({ what: rest[0] as ShowWhat, source, json: f.json, readStdin, warn, write: writeOut });
			break;
		}
		case 'snapshot': {
			if (rest.length !== 0) throw new UsageError('usage: netsleuth snapshot [-o FILE] [--netns NAME]');
			const other = (['snapshot', 'demo', 'rules', 'rules6', 'routes', 'ipRules', 'links', 'sysctl', 'ipset'] as const).find((key) => f[key] !== undefined);
			if (other) throw new UsageError(`netsleuth snapshot reads the live host (or --netns NAME); --${other.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} does not apply`);
			const { runSnapshot } = await import('./commands/snapshot.js');
			output = (await runSnapshot({ ...(f.output !== undefined ? { output: f.output } : {}), ...(f.netns !== undefined ? { netns: f.netns } : {}), warn })).stdout;
			break;
		}
		case undefined:
			// The TUI (ink, React) loads only here; without a terminal on both ends, print the show tables.
			if (process.stdin.isTTY && process.stdout.isTTY) return (await import('./tui/index.js')).runTui({ source, readStdin, debug: f.debug, pcap: f.pcap });
			// A capture piped on: what `pcap FILE` lists, replayed (`pcap FILE --trace`) when a source was named.
			if (f.pcap !== undefined) return listCapture(f.pcap, Object.keys(source).length > 0, source, f);
			output = await (await import('./tui/overview.js')).runOverview({ source, readStdin, warn });
			break;
		default:
			throw new UsageError(`unknown command "${command}" (see netsleuth --help)`);
	}
	process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
	return 0;
}

/** Captures from this size on are replayed (`--trace --json`) on a thread of their own, their lines written by another (pcap-thread.ts). */
const PARALLEL_FROM = 4 << 20;

/** `netsleuth pcap FILE` (`--trace`: replayed against the source's host), written as it is made. */
async function listCapture(file: string, trace: boolean, source: SourceFlags, f: { filter: string | undefined; json: boolean; in: string | undefined; hits: boolean }): Promise<number> {
	const progress = process.stderr.isTTY === true ? (text: string) => process.stderr.write(text) : undefined;
	// Lines with hits may be long (a ring record each): one thread. Below a few megabytes more threads cost more than they save.
	if (trace && f.json && !f.hits && availableParallelism() >= 2 && file !== '-' && sizeOf(file) >= PARALLEL_FROM) {
		const stdinText = Object.values(source).includes('-') ? await readStdin() : undefined;
		const { runPcapThread, PcapThreadError } = await import('./capture/pcap-thread.js');
		try {
			await runPcapThread({ file, filter: f.filter, source, in: f.in, stdinText, parallelFrom: PARALLEL_FROM, fd: 1, warn, progress });
		} catch (error) {
			// As when this thread's stdout meets a closed pipe.
			if (error instanceof PcapThreadError && error.kind === 'closed') process.exit(0);
			if (error instanceof PcapThreadError) throw await rethrown(error);
			throw error;
		}
		return 0;
	}
	// The host is read (and the engine loaded) only for --trace: a plain listing stays quick to start.
	const replay = trace ? await (await import('./commands/pcap-trace.js')).createReplayer({ source, in: f.in, hits: f.hits, readStdin, warn }) : undefined;
	const { runPcap, CaptureInputError } = await import('./capture/command.js');
	try {
		await runPcap({
			file, filter: f.filter, json: f.json, stdin: process.stdin, ...(replay ? { replay } : {}),
			write: writeOut,
			progress,
		});
	} catch (error) {
		if (error instanceof CaptureInputError) throw new (await import('./host/model.js')).InputError(error.message);
		throw error;
	}
	return 0;
}

/** A file's size, or 0 when it cannot be read (runPcap then says why). */
function sizeOf(file: string): number {
	try {
		return statSync(file).size;
	} catch {
		return 0;
	}
}

/** The pcap thread's failure as the error the same failure on this thread throws (the exit code follows from it). */
async function rethrown(error: import('./capture/pcap-thread.js').PcapThreadError): Promise<Error> {
	const made = error.kind === 'input' ? new (await import('./host/model.js')).InputError(error.message)
		: error.kind === 'host' ? new (await import('./commands/sources.js')).HostUnreadableError(error.message)
		: error.kind === 'loop' ? new (await import('./netfilter/walk.js')).ChainLoopError(error.message)
		: new Error(error.message);
	if (error.workerStack !== undefined) made.stack = error.workerStack;
	return made;
}

/** Output written as it is made: when the pipe is full, the promise says when it drained (a slow reader must not make netsleuth hold the output). */
function writeOut(chunk: string | Uint8Array): Promise<unknown> | undefined {
	if (process.stdout.write(chunk)) return undefined;
	// One wait for every write made while the pipe is full (a second thread's lines come in bursts).
	drained ??= once(process.stdout, 'drain').finally(() => {
		drained = undefined;
	});
	return drained;
}

let drained: Promise<unknown> | undefined;

function warn(line: string): void {
	process.stderr.write(`netsleuth: warning: ${safeText(line)}\n`);
}

// `netsleuth … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EPIPE') process.exit(0);
	throw error;
});

const debug = process.argv.includes('--debug');
main().then(
	(code) => {
		process.exitCode = code;
	},
	async (error: unknown) => {
		// The error classes come from the modules that throw them (loaded already when a command ran).
		const [{ InputError }, { HostUnreadableError }, { TraceUsageError }, { PacketSpecError }, { ChainLoopError }] = await Promise.all([
			import('./host/model.js'), import('./commands/sources.js'), import('./commands/trace.js'), import('./packet/spec.js'), import('./netfilter/walk.js'),
		]);
		// A chain loop (A jumps to B jumps to A) is a fault of the ruleset, not of netsleuth.
		const badInput = error instanceof InputError || error instanceof PacketSpecError || error instanceof ChainLoopError;
		const message = error instanceof Error ? error.message : String(error);
		const code = error instanceof UsageError || error instanceof TraceUsageError ? 2
			: badInput ? 1
			: error instanceof HostUnreadableError ? 3
			: 1;
		const known = code !== 1 || badInput;
		process.stderr.write(`netsleuth: ${known ? '' : 'internal error: '}${safeText(message.split('\n')[0] ?? '')}\n`);
		if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
		else if (!known) process.stderr.write('netsleuth: run with --debug for the stack trace and report it\n');
		process.exitCode = code;
	},
);
