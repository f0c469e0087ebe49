/**
 * Runs a fuzz campaign: batches of inputs per target, spread over worker threads. Each worker marks the
 * input it is on in shared memory; a watchdog in the main thread kills a worker stuck on one input and
 * rebuilds that input itself (inputs are a pure function of seed, target and index) to report it. Memory
 * is sampled after a garbage collection between batches.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { hash, mutate, prng, type MutationContext } from './mutate.js';
import { type Seed, type Target, TARGETS, targetByName, Violation } from './targets.js';

/** An input taking longer than this is a failure (issue 7: no input takes more than 1 s). */
export const SLOW_MS = 1000;
/** A worker stuck this long on one input is killed and the input reported as a hang. */
const HANG_MS = 10_000;
/** Heap growth (after GC) between a worker's first and any later batch that counts as unbounded. */
const LEAK_MB = 256;

export interface Failure {
	readonly target: string;
	readonly index: number;
	readonly variant: string;
	readonly seed: string;
	readonly steps: string[];
	readonly kind: string;
	readonly detail: string;
	readonly bytes: Uint8Array;
	/** Where the input was saved (set by the main thread). */
	file?: string;
	/** Other inputs that failed the same way. */
	repeats?: number;
}

export interface TargetStats {
	readonly name: string;
	seeds: number;
	inputs: number;
	accepted: number;
	rejected: number;
	/** Inputs that broke the contract: a crash, a hang, a slow input, bad output, unbounded memory. */
	failures: number;
	/** Rejections whose message is not one line or does not say where. */
	messageGaps: number;
	totalMs: number;
	maxMs: number;
	maxMsIndex: number;
	maxMessage: number;
}

export interface CampaignOptions {
	readonly seed: number;
	readonly targets?: readonly string[];
	/** Seeds cut to a few KB (the bounded run). */
	readonly small: boolean;
	/** Inputs per target (a bounded run), or … */
	readonly inputs?: number;
	/** … a time budget in milliseconds (the long run). */
	readonly durationMs?: number;
	readonly workers?: number;
	readonly batch?: number;
	/** Where failing inputs are written (default: a new temp directory). */
	readonly outDir?: string;
	readonly progress?: (line: string) => void;
}

export interface CampaignResult {
	readonly stats: TargetStats[];
	readonly failures: Failure[];
	readonly elapsedMs: number;
	/** Heap used after GC, first and largest, over all batches (MB); resident set size peak (MB). */
	readonly heapFirstMb: number;
	readonly heapMaxMb: number;
	readonly rssMaxMb: number;
	readonly outDir: string;
	readonly corpus: boolean;
}

// ── inputs ───────────────────────────────────────────────────────────────────────────────────────────

interface Prepared {
	readonly target: Target;
	readonly small: boolean;
	readonly index: number;
	readonly seeds: Seed[];
	/** The seeds' bytes by variant: what a mutant may be spliced with. */
	readonly byVariant: Map<string, Uint8Array[]>;
	readonly dictionary: string[];
}

const prepared = new Map<string, Prepared>();

export function prepare(name: string, small: boolean): Prepared {
	const key = `${name}/${small}`;
	let p = prepared.get(key);
	if (!p) {
		const target = targetByName(name);
		// Plain copies: a Buffer from a shared pool must not be written through a view.
		const seeds = target.seeds(small).map((s) => ({ ...s, bytes: new Uint8Array(s.bytes) }));
		if (seeds.length === 0) throw new Error(`fuzz target ${name} has no seeds`);
		const byVariant = new Map<string, Uint8Array[]>();
		for (const s of seeds) byVariant.set(s.variant, [...(byVariant.get(s.variant) ?? []), s.bytes]);
		p = { target, small, index: TARGETS.indexOf(target), seeds, byVariant, dictionary: target.dictionary(seeds) };
		prepared.set(key, p);
	}
	return p;
}

export interface Input {
	readonly bytes: Uint8Array;
	readonly variant: string;
	readonly seed: string;
	readonly steps: string[];
}

/** Input `index` of a target in a campaign: the same bytes on every run and in every thread. */
export function makeInput(p: Prepared, campaignSeed: number, index: number): Input {
	const rng = prng(hash(campaignSeed, p.index, index));
	const seed = p.seeds[rng() % p.seeds.length]!;
	const roll = rng() % 64;
	if (roll === 0) return { bytes: seed.bytes, variant: seed.variant, seed: seed.name, steps: ['as is'] };
	if (roll === 1) {
		// Noise: a few random bytes, sometimes after the seed's first bytes (a valid magic or header line).
		const keep = rng() % 2 ? Math.min(seed.bytes.length, 1 + (rng() % 32)) : 0;
		const noise = Uint8Array.from({ length: rng() % 96 }, () => rng() & 0xff);
		return { bytes: Buffer.concat([seed.bytes.subarray(0, keep), noise]), variant: seed.variant, seed: seed.name, steps: ['noise'] };
	}
	const ctx: MutationContext = {
		rng,
		seeds: p.byVariant.get(seed.variant)!,
		dictionary: p.dictionary,
		binary: p.target.binary === true,
		json: p.target.json === true,
		// The bounded run keeps mutants small (fast); the long run lets them grow to the target's limit.
		maxLength: p.small ? Math.min(p.target.maxLength, 1 << 15) : p.target.maxLength,
		deep: !p.small,
	};
	const { bytes, steps } = mutate(seed.bytes, ctx);
	return { bytes, variant: seed.variant, seed: seed.name, steps };
}

// ── the worker ───────────────────────────────────────────────────────────────────────────────────────

interface BatchRequest {
	readonly target: string;
	readonly from: number;
	readonly to: number;
	readonly seed: number;
	readonly small: boolean;
}

interface BatchReport {
	readonly target: string;
	readonly stats: Omit<TargetStats, 'name' | 'seeds'>;
	readonly failures: Failure[];
	readonly heapMb: number;
	readonly rssMb: number;
}

/** Shared with the main thread: [target index, input index, busy], and the input's start time. */
interface Marks {
	readonly ints: Int32Array;
	readonly start: Float64Array;
}

function gcFunction(): (() => void) | undefined {
	try {
		setFlagsFromString('--expose-gc');
		return runInNewContext('gc') as () => void;
	} catch {
		return undefined;
	}
}

function runBatch(request: BatchRequest, marks: Marks | undefined): BatchReport {
	const p = prepare(request.target, request.small);
	const stats = { inputs: 0, accepted: 0, rejected: 0, failures: 0, messageGaps: 0, totalMs: 0, maxMs: 0, maxMsIndex: -1, maxMessage: 0 };
	const failures: Failure[] = [];
	for (let index = request.from; index < request.to; index++) {
		const input = makeInput(p, request.seed, index);
		if (marks) {
			marks.ints[0] = p.index;
			marks.ints[1] = index;
			marks.start[0] = Date.now();
			Atomics.store(marks.ints, 2, 1);
		}
		const t0 = performance.now();
		let outcome: string | undefined;
		let violation: Violation | undefined;
		try {
			outcome = p.target.run(input.bytes, input.variant, request.small);
		} catch (error) {
			violation = error instanceof Violation ? error : new Violation('crash', `escaped the target: ${(error as Error)?.stack ?? String(error)}`);
		}
		const ms = performance.now() - t0;
		if (marks) Atomics.store(marks.ints, 2, 0);
		if (!violation && ms > SLOW_MS) violation = new Violation('slow', `took ${ms.toFixed(0)} ms (limit ${SLOW_MS} ms)`);
		stats.inputs++;
		stats.totalMs += ms;
		if (ms > stats.maxMs) {
			stats.maxMs = ms;
			stats.maxMsIndex = index;
		}
		if (violation) {
			if (violation.kind === 'message') {
				stats.messageGaps++;
				stats.rejected++;
			} else stats.failures++;
			// A few per batch are enough to act on; the count says how many there were.
			if (failures.filter((f) => (f.kind === 'message') === (violation!.kind === 'message')).length < 3) failures.push({ target: p.target.name, index, variant: input.variant, seed: input.seed, steps: input.steps, kind: violation.kind, detail: violation.message, bytes: input.bytes });
		} else if (outcome === undefined) stats.accepted++;
		else {
			stats.rejected++;
			if (outcome.length > stats.maxMessage) stats.maxMessage = outcome.length;
		}
	}
	const gc = gcFunction();
	gc?.();
	const memory = process.memoryUsage();
	return { target: request.target, stats, failures, heapMb: memory.heapUsed / 2 ** 20, rssMb: memory.rss / 2 ** 20 };
}

if (!isMainThread && (workerData as { fuzz?: boolean } | undefined)?.fuzz) {
	const shared = (workerData as { marks: SharedArrayBuffer }).marks;
	const marks: Marks = { ints: new Int32Array(shared, 0, 4), start: new Float64Array(shared, 16, 1) };
	parentPort!.on('message', (request: BatchRequest) => {
		parentPort!.postMessage(runBatch(request, marks));
	});
}

// ── the main thread ──────────────────────────────────────────────────────────────────────────────────

interface Slot {
	worker: Worker;
	marks: Marks;
	job: BatchRequest | undefined;
	firstHeapMb: number | undefined;
	dead: boolean;
}

function preview(bytes: Uint8Array): string {
	const t = Buffer.from(bytes).toString('utf8');
	const printable = bytes.length > 0 && !t.includes('\ufffd') && /^[\t\n\r -~\u00a0-\uffff]*$/.test(t) && !/[\x1b\x80-\x9f]/.test(t);
	const shown = printable ? JSON.stringify(t.length > 300 ? `${t.slice(0, 300)}…` : t) : `hex ${Buffer.from(bytes.subarray(0, 160)).toString('hex')}${bytes.length > 160 ? '…' : ''}`;
	return `${bytes.length} bytes: ${shown}`;
}

export function describeFailure(f: Failure): string {
	return `${f.target} input #${f.index}${f.repeats ? ` (and ${f.repeats} more like it)` : ''} (variant ${f.variant}, from seed "${f.seed}" by ${f.steps.join('+')}): ${f.detail}\n  input ${f.file ? `saved to ${f.file}` : 'not saved'}; ${preview(f.bytes)}`;
}

export function saveFailure(f: Failure, dir: string): void {
	mkdirSync(dir, { recursive: true });
	const base = join(dir, `${f.target}-${f.variant.replace(/[^\w.-]/g, '_')}-${f.index}`);
	writeFileSync(`${base}.input`, f.bytes);
	writeFileSync(`${base}.txt`, `${describeFailure({ ...f, file: `${base}.input` })}\nreplay: npm run fuzz -- --replay ${base}.input --target ${f.target} --variant ${f.variant}\n`);
	f.file = `${base}.input`;
}

/** Runs a campaign on worker threads; resolves with the figures and every failing input (saved). */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
	const names = options.targets ?? TARGETS.map((t) => t.name);
	const batch = options.batch ?? 500;
	const workers = Math.max(1, options.workers ?? 2);
	const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'netsleuth-fuzz-'));
	const started = performance.now();
	const deadline = options.durationMs !== undefined ? started + options.durationMs : Infinity;
	const stats = new Map<string, TargetStats>(names.map((name) => [name, { name, seeds: prepare(name, options.small).seeds.length, inputs: 0, accepted: 0, rejected: 0, failures: 0, messageGaps: 0, totalMs: 0, maxMs: 0, maxMsIndex: -1, maxMessage: 0 }]));
	const failures: Failure[] = [];
	let heapFirstMb = Infinity;
	let heapMaxMb = 0;
	let rssMaxMb = 0;

	// The queue: fixed ranges for a bounded run; round-robin batches until the deadline for a long one.
	const queue: BatchRequest[] = [];
	const next = new Map<string, number>(names.map((n) => [n, 0]));
	if (options.inputs !== undefined) {
		for (let from = 0; from < options.inputs; from += batch) {
			for (const target of names) queue.push({ target, from, to: Math.min(options.inputs, from + batch), seed: options.seed, small: options.small });
		}
	}
	let turn = 0;
	const take = (): BatchRequest | undefined => {
		if (options.inputs !== undefined) return queue.shift();
		if (queue.length) return queue.shift();
		if (performance.now() >= deadline) return undefined;
		const target = names[turn++ % names.length]!;
		const from = next.get(target)!;
		next.set(target, from + batch);
		return { target, from, to: from + batch, seed: options.seed, small: options.small };
	};

	// One report per kind of failure: the same message with other words and numbers in it is the same bug.
	const signatures = new Map<string, Failure>();
	const record = (f: Failure) => {
		const signature = `${f.target} ${f.kind} ${f.detail.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 160)}`;
		const seen = signatures.get(signature);
		if (seen) {
			seen.repeats = (seen.repeats ?? 0) + 1;
			return;
		}
		signatures.set(signature, f);
		saveFailure(f, outDir);
		failures.push(f);
		options.progress?.(`FAIL ${describeFailure(f)}`);
	};

	return new Promise<CampaignResult>((resolve, reject) => {
		const slots: Slot[] = [];
		let finished = false;
		const done = () => {
			if (finished || slots.some((s) => s.job !== undefined)) return;
			finished = true;
			clearInterval(watchdog);
			for (const s of slots) void s.worker.terminate();
			resolve({
				stats: [...stats.values()], failures, elapsedMs: performance.now() - started,
				heapFirstMb: Number.isFinite(heapFirstMb) ? heapFirstMb : 0, heapMaxMb, rssMaxMb, outDir,
				corpus: TARGETS.length > 0 && prepare('ruleset', options.small).seeds.some((s) => s.name.startsWith('iptables/')),
			});
		};
		const dispatch = (slot: Slot) => {
			const job = take();
			slot.job = job;
			if (job) slot.worker.postMessage(job);
			else done();
		};
		/** The input a worker was on when it died or hung: rebuilt here, reported, and the rest of its batch queued again. */
		const lost = (slot: Slot, kind: string, detail: string) => {
			const job = slot.job;
			if (!job) return;
			const index = slot.marks.ints[1]!;
			const p = prepare(job.target, job.small);
			const input = makeInput(p, job.seed, index);
			const s = stats.get(job.target)!;
			s.inputs++;
			s.failures++;
			record({ target: job.target, index, variant: input.variant, seed: input.seed, steps: input.steps, kind, detail, bytes: input.bytes });
			if (index + 1 < job.to) queue.unshift({ ...job, from: index + 1 });
			slot.job = undefined;
		};
		const spawn = (): Slot => {
			const shared = new SharedArrayBuffer(32);
			const marks: Marks = { ints: new Int32Array(shared, 0, 4), start: new Float64Array(shared, 16, 1) };
			const worker = new Worker(new URL(import.meta.url), { workerData: { fuzz: true, marks: shared }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
			const slot: Slot = { worker, marks, job: undefined, firstHeapMb: undefined, dead: false };
			worker.on('message', (report: BatchReport) => {
				const s = stats.get(report.target)!;
				s.inputs += report.stats.inputs;
				s.accepted += report.stats.accepted;
				s.rejected += report.stats.rejected;
				s.failures += report.stats.failures;
				s.messageGaps += report.stats.messageGaps;
				s.totalMs += report.stats.totalMs;
				if (report.stats.maxMs > s.maxMs) {
					s.maxMs = report.stats.maxMs;
					s.maxMsIndex = report.stats.maxMsIndex;
				}
				s.maxMessage = Math.max(s.maxMessage, report.stats.maxMessage);
				for (const f of report.failures) record(f);
				slot.firstHeapMb ??= report.heapMb;
				heapFirstMb = Math.min(heapFirstMb, report.heapMb);
				heapMaxMb = Math.max(heapMaxMb, report.heapMb);
				rssMaxMb = Math.max(rssMaxMb, report.rssMb);
				if (report.heapMb > slot.firstHeapMb + LEAK_MB) {
					record({ target: report.target, index: slot.job?.to ?? 0, variant: '-', seed: '-', steps: [], kind: 'memory', detail: `heap after GC grew from ${slot.firstHeapMb.toFixed(0)} MB to ${report.heapMb.toFixed(0)} MB in one worker`, bytes: new Uint8Array(0) });
					slot.firstHeapMb = report.heapMb;
				}
				options.progress?.(`${report.target}: ${s.inputs} inputs, ${s.rejected} rejected, ${s.failures} failures, max ${s.maxMs.toFixed(1)} ms, heap ${report.heapMb.toFixed(0)} MB`);
				dispatch(slot);
			});
			worker.on('error', (error) => {
				if (slot.dead) return;
				slot.dead = true;
				const oom = /ERR_WORKER_OUT_OF_MEMORY|heap/i.test(`${(error as NodeJS.ErrnoException).code} ${error.message}`);
				lost(slot, oom ? 'memory' : 'crash', `the worker died: ${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`);
				replace(slot);
			});
			worker.on('exit', () => {
				if (slot.dead || finished) return;
				slot.dead = true;
				lost(slot, 'crash', 'the worker exited');
				replace(slot);
			});
			return slot;
		};
		const replace = (slot: Slot) => {
			const i = slots.indexOf(slot);
			if (i < 0 || finished) return;
			const fresh = spawn();
			slots[i] = fresh;
			dispatch(fresh);
			done();
		};
		const watchdog = setInterval(() => {
			for (const slot of slots) {
				if (!slot.job || slot.dead || Atomics.load(slot.marks.ints, 2) !== 1) continue;
				const ms = Date.now() - slot.marks.start[0]!;
				if (ms > HANG_MS) {
					slot.dead = true;
					lost(slot, 'hang', `still running after ${(ms / 1000).toFixed(0)} s: killed`);
					void slot.worker.terminate();
					replace(slot);
				}
			}
		}, 250);
		try {
			for (let i = 0; i < workers; i++) slots.push(spawn());
			for (const slot of slots) dispatch(slot);
		} catch (error) {
			clearInterval(watchdog);
			reject(error);
		}
	});
}

/** Runs one saved input through a target in this thread: what the replay command prints. */
export function replay(targetName: string, bytes: Uint8Array, variant: string): string {
	const p = prepare(targetName, true);
	const variants = variant ? [variant] : [...new Set(p.seeds.map((s) => s.variant))];
	return variants.map((v) => {
		const t0 = performance.now();
		try {
			const outcome = p.target.run(bytes, v);
			return `${targetName} (${v}): ${outcome === undefined ? 'accepted' : `rejected: ${outcome}`} in ${(performance.now() - t0).toFixed(1)} ms`;
		} catch (error) {
			return `${targetName} (${v}): FAILS: ${error instanceof Violation ? error.message : (error as Error).stack}`;
		}
	}).join('\n');
}
