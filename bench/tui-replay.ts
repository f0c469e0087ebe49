/**
 * The Capture view while it replays a capture: packets replayed a second, and key → frame while it runs.
 *   node dist/bench/tui-replay.js [--no-replay] [CAPTURE] [source…]   (default: bench/out/capture-1000000.pcap --demo)
 * --no-replay: the same keys without a replay, for comparison.
 */
import { join } from 'node:path';
import { tuiReplayRun } from './tui-probe.js';
import { REPO } from '../test/support/paths.js';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const replay = !args.includes('--no-replay');
const [capture = join(REPO, 'bench', 'out', 'capture-1000000.pcap'), ...source] = args.filter((a) => a !== '--no-replay');
const load = loadavg().map((n) => n.toFixed(2)).join(' ');
const s = tuiReplayRun(process.execPath, join(REPO, 'bin', 'netsleuth.js'), capture, source.length ? source : ['--demo'], join(REPO, 'bench', 'out', 'tui-replay-debug.txt'), 150, replay);
process.stdout.write(`load average ${load} → ${loadavg().map((n) => n.toFixed(2)).join(' ')}: ${replay ? `${Math.round(s.packetsPerSecond).toLocaleString('en-US')} packets/s replayed` : 'no replay'}; key → frame over ${s.keys.count} keys: median ${s.keys.median} ms, p95 ${s.keys.p95} ms, max ${s.keys.max} ms\n`);
