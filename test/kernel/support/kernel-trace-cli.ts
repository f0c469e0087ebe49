// Ad-hoc runner for checking kernel behaviour by hand (root):
//   node dist/test/kernel/support/kernel-trace-cli.js '<KernelScenario JSON>' [-v]
// prints hits, outcome, trace ids and timings (-v: also every raw trace event).
// Without arguments it does nothing (node --test loads every file under test/).
import { runKernelTrace, type KernelScenario } from './kernel-trace.js';

const arg = process.argv[2];
if (arg) {
  const r = await runKernelTrace(JSON.parse(arg) as KernelScenario);
  console.log(JSON.stringify({ hits: r.hits, outcome: r.outcome, traceIds: r.traceIds, timings: r.timings }, null, 2));
  if (process.argv.includes('-v')) for (const e of r.rawEvents) console.log(JSON.stringify(e));
}
