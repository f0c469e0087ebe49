// Kernel side of the differential tests: run one packet through a real kernel and return what
// nf_tables traced, in the shape of netsleuth's `trace --json` `hits`.
//
// FACTS FOUND (kernel 6.18, iptables 1.8.9 nf_tables backend, nftables 1.0.6; all checked with the
// raw NFNLGRP_NFTRACE events this harness reads, and reproduced by test/kernel/harness.test.ts):
//
// Which tool shows what
// - The netlink trace group carries three kinds of event for a marked packet: a rule event WITH a
//   handle for every rule whose matches all passed (also non-terminating ones: MARK, LOG, a rule with
//   no -j; verdict continue = -1), a rule event WITHOUT a handle (verdict continue) whenever the end of
//   a chain is reached, and a policy event (NFTA_TRACE_POLICY 1 accept / 0 drop). The event type
//   NFT_TRACETYPE_RETURN (2) never appeared, not even for -j RETURN.
// - `nft monitor trace` (1.0.6) and `xtables-monitor --trace` (1.8.9) print the rule events with a
//   handle and the policy events, and silently skip the handle-less ones — so neither shows the implicit
//   return at the end of a user chain. Hence this harness reads the netlink group itself (a small Python
//   helper: Node has no netlink sockets).
//
// How things appear (→ hits)
// - End of a user chain reached via -j: a handle-less rule event in that chain (type 'rule', verdict
//   -1) → { type: 'return', rule: null, target: null }, then evaluation goes on in the caller.
// - End of a user chain entered with -g from a built-in chain: the same handle-less event in the user
//   chain ('return' hit), then the built-in chain's policy event.
// - End of a built-in chain: a handle-less rule event in the built-in chain, then its policy event; the
//   harness reports only { type: 'policy', target: 'ACCEPT'|'DROP' }. (After a -j RETURN out of a chain
//   entered by goto from the built-in chain there is no handle-less event, just the policy event.)
// - -j RETURN: a rule event with handle and verdict return (-5) → { type: 'rule', target: 'RETURN' };
//   no 'return' hit follows.
// - -j USR / -g USR: rule event, verdict jump (-3) / goto (-4) with the chain name → target 'USR'.
// - REJECT (icmp-port-unreachable, tcp-reset, IPv4 and IPv6): a rule event with verdict DROP (0); the
//   ICMP error / RST it sends is a new skb that is not traced. Target comes from iptables-save: 'REJECT'.
//   In OUTPUT, sendto() on the raw socket then fails with EPERM and the ICMP error loops back over lo;
//   a plain DROP in OUTPUT also gives EPERM.
// - DNAT, MASQUERADE (and the other xt targets that decide): rule event with verdict ACCEPT (1) in the
//   nat chain; the nat chain ends there (no policy event for it). The headers carried by a nat rule's
//   event are the packet BEFORE translation; the next hook (e.g. filter FORWARD after DNAT, or the
//   harness's postrouting chain after MASQUERADE) sees the translated packet, with TTL already
//   decremented in FORWARD.
// - MARK: the event already carries the new mark (NFTA_TRACE_MARK) — the mark after the rule.
// - Tables / chains the ruleset does not declare do not exist and give no events (iptables-nft
//   creates only the declared built-in chains); a declared empty built-in chain gives its policy event.
// - Order is per hook in priority order: raw, mangle, nat(DNAT), filter, security, nat(SNAT); e.g.
//   mangle PREROUTING policy, mangle INPUT policy, filter INPUT policy for an empty declared mangle.
// - One packet keeps one trace id through all its hooks (also across DNAT/MASQUERADE and forwarding).
//   Events of other packets (e.g. the REJECT's ICMP, if it were marked) interleave, so the harness
//   marks only the test packet: its own `table inet nstrace` (excluded from hits) sets
//   `meta nftrace set 1` at priority -500 in prerouting and output, matching the exact addresses,
//   l4proto, ports and a random IPv4 id / IPv6 flow label (the marker). It also has empty base chains at
//   priority 10000 on input, forward and postrouting whose events show the packet got past every
//   INPUT / FORWARD / POSTROUTING chain (outcome.passedInput / passedForward / passedPostrouting).
//
// Outcome (no trace events for these): `delivered` = got past INPUT, or arrived in the client/server ns
// (AF_PACKET sniffers there, matched by the marker); `forwarded` / `sent` = got past POSTROUTING;
// `rejectSeen` = the sender side (client ns, or the host's lo for local packets) got an ICMP error
// quoting the packet or a TCP RST answering it. TCP/UDP listeners are opened on the destination port
// (host and server ns by default) so that an accepted packet does not draw a kernel RST / port
// unreachable that would look like a REJECT.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';

import {
  buildFrame, buildIpPacket, formatIPv6, parseFrame, parseIPv6, protoNumber, writePcap, type FrameSpec, type ParsedPacket,
} from './frames.js';
import {
  createTopology, destroyTopology, python3, runInNs, type Topology, type TopologySpec,
} from './netns.js';
import { OBSERVER_PY, SENDER_PY } from './python-helpers.js';

/** The nft table the harness adds to mark (and only to mark) the test packet. Its events are not hits. */
export const TRACE_TABLE = 'nstrace';

// ---------------------------------------------------------------- types

export interface KernelPacket extends Omit<FrameSpec, 'srcMac' | 'dstMac'> {
  /** Locally generated in the host ns (output path) instead of arriving from the client. */
  local?: boolean;
  /** Default: the client interface's MAC. */
  srcMac?: string;
  /**
   * Default: the host's client-side interface MAC (anything else is PACKET_OTHERHOST and never reaches
   * PREROUTING); in a bridged topology the bridge's MAC (the frame goes up to the host).
   */
  dstMac?: string;
}

export type NsRole = 'client' | 'host' | 'server';

export interface ListenSpec {
  ns: NsRole;
  proto: 'tcp' | 'udp';
  port: number;
}

export interface KernelScenario {
  name?: string;
  /** iptables-save text for IPv4, loaded into the host ns with iptables-restore (nf_tables backend). */
  rules?: string;
  /** The same for IPv6 (ip6tables-restore). */
  rules6?: string;
  topology?: TopologySpec;
  packet: KernelPacket;
  /**
   * Sockets to open so an accepted packet gets a normal answer rather than a kernel RST / port
   * unreachable (which would look like a REJECT). Default for TCP/UDP: the packet's dport in the host
   * and the server ns (for a local packet: the client and the server ns). These are added to the
   * default; `false` opens none.
   */
  listen?: ListenSpec[] | false;
  /** Quiescence: stop idleMs after the last event, at least minMs and at most maxMs after injecting. */
  timing?: { idleMs?: number; minMs?: number; maxMs?: number };
  /** Called once the rules are loaded, before the packet is sent: e.g. to snapshot the host ns. */
  inspect?: (topo: Topology) => unknown | Promise<unknown>;
}

/** One entry of `hits`, the shape of netsleuth's `trace --json` hits. */
export interface KernelHit {
  table: string;
  chain: string;
  type: 'rule' | 'return' | 'policy';
  rule: number | null;
  target: string | null;
}

/** One nf_tables trace event as read from NFNLGRP_NFTRACE. */
export interface RawTraceEvent {
  kind: 'trace';
  /** ms since the observer started. */
  t: number;
  /** nfgenmsg family: 2 ip, 10 ip6, 1 inet, 7 bridge, 5 netdev. */
  family: number;
  table?: string;
  chain?: string;
  /** Absent for the implicit end-of-chain event. */
  handle?: number;
  type?: 'policy' | 'return' | 'rule' | string;
  /** NF_DROP 0, NF_ACCEPT 1, NFT_CONTINUE -1, NFT_BREAK -2, NFT_JUMP -3, NFT_GOTO -4, NFT_RETURN -5. */
  verdict?: number;
  jumpChain?: string;
  id?: string;
  /** hex of the link / network / transport headers (only on the first event of each hook). */
  ll?: string;
  nh?: string;
  th?: string;
  iif?: number;
  oif?: number;
  mark?: number;
  nfproto?: number;
  /** The policy verdict of a 'policy' event (1 accept, 0 drop). */
  policy?: number;
  /** The packet's conntrack direction (0 original, 1 reply), when it has a connection. */
  ctDirection?: number;
  /** Its conntrack state bits as `ct state` matches them: 1 invalid, 2 established, 4 related, 8 new, 64 untracked. */
  ctState?: number;
}

export interface ObservedFrame {
  kind: 'frame';
  t: number;
  /** 'client' | 'server' | 'host-lo' */
  label: string;
  ns: string;
  ifname: string;
  pkttype: number;
  hex: string;
  len: number;
}

export interface Reply {
  /** 'icmp': an ICMP / ICMPv6 error quoting the test packet; 'rst': a TCP RST answering it. */
  kind: 'icmp' | 'rst';
  from: string;
  icmpType?: number;
  icmpCode?: number;
  /** Where it was seen. */
  at: string;
}

export interface KernelOutcome {
  /** input (reached the host's INPUT end) | forward | output (local) | dropped (before any of them). */
  path: 'input' | 'forward' | 'output' | 'dropped';
  /** Passed every INPUT chain (the host would hand it to a socket). */
  passedInput: boolean;
  /** Passed every FORWARD chain. */
  passedForward: boolean;
  /** Passed every POSTROUTING chain (left the host). */
  passedPostrouting: boolean;
  /** Reached the host's INPUT end, or arrived in the client / server ns. */
  delivered: boolean;
  /** Arrived from the client and left the host again (passed POSTROUTING). */
  forwarded: boolean;
  /** Locally generated and left the host (passed POSTROUTING). */
  sent: boolean;
  /** The sender got an ICMP error quoting the packet or a TCP RST answering it. */
  rejectSeen: boolean;
  replies: Reply[];
  /** The test packet as it arrived in the client / server ns (after NAT). */
  arrived: Array<{ at: string; packet: ParsedPacket }>;
  /** Datagrams received by the UDP listeners. */
  udpReceived: Array<{ ns: string; port: number; from: string; fromPort: number }>;
  /** Local packets: the error sendto() returned (OUTPUT drop → EPERM 1). */
  sendError?: { errno: number; error: string };
}

export interface KernelTraceResult {
  hits: KernelHit[];
  /** Every trace event read, in order, including the nstrace table's own and other trace ids. */
  rawEvents: RawTraceEvent[];
  outcome: KernelOutcome;
  /** Trace ids of the events hits were made from (one per skb; expect exactly one). */
  traceIds: string[];
  /** Frames the sniffers saw (ARP / ND / MLD / IGMP excluded). */
  frames: ObservedFrame[];
  /** The exact packet injected (for local: the IP packet handed to the raw socket). */
  packet: FrameSpec & { local: boolean };
  /** The value that identifies the test packet: IPv4 id or IPv6 flow label. */
  marker: number;
  /** Milliseconds per phase. */
  timings: Record<string, number>;
  /** What the scenario's inspect() returned. */
  inspected?: unknown;
}

// ---------------------------------------------------------------- pure helpers

export const NFPROTO_NAMES: Record<number, string> = { 1: 'inet', 2: 'ip', 3: 'arp', 5: 'netdev', 7: 'bridge', 10: 'ip6' };

export function verdictName(code: number | undefined): string | null {
  if (code === undefined) return null;
  switch (code) {
    case -1: return 'CONTINUE';
    case -2: return 'BREAK';
    case -3: return 'JUMP';
    case -4: return 'GOTO';
    case -5: return 'RETURN';
  }
  switch (code & 0xff) {
    case 0: return 'DROP';
    case 1: return 'ACCEPT';
    case 2: return 'STOLEN';
    case 3: return 'QUEUE';
    case 4: return 'REPEAT';
    case 5: return 'STOP';
  }
  return String(code);
}

export interface ChainLayout {
  /** Has a hook (a built-in chain). */
  base: boolean;
  policy: string | null;
  /** Rule handles in chain order: index + 1 is the iptables-save position. */
  handles: number[];
}

/** "family table" (e.g. "ip filter") → chain name → layout. */
export type RulesetLayout = Map<string, Map<string, ChainLayout>>;

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** Parse `nft -a list ruleset` (or `nft -a list table …`) text. */
export function parseNftListing(text: string): RulesetLayout {
  const layout: RulesetLayout = new Map();
  let table: Map<string, ChainLayout> | null = null;
  let chain: ChainLayout | null = null;
  let skipDepth = 0; // inside a set / map / flowtable / object block
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (skipDepth > 0) {
      skipDepth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^table (\S+) (\S+) \{/.exec(line))) {
      table = new Map();
      layout.set(`${m[1]} ${unquote(m[2]!)}`, table);
      chain = null;
    } else if ((m = /^chain (\S+) \{/.exec(line))) {
      chain = { base: false, policy: null, handles: [] };
      table?.set(unquote(m[1]!), chain);
    } else if (/^(set|map|flowtable|counter|quota|limit|ct |secmark|synproxy)\b.*\{\s*(#.*)?$/.test(line) && !chain) {
      skipDepth = 1;
    } else if (line.startsWith('}')) {
      if (chain) chain = null;
      else table = null;
    } else if (chain && /^type \S+ hook /.test(line)) {
      chain.base = true;
      const p = /policy (\w+);/.exec(line);
      chain.policy = p ? p[1]!.toUpperCase() : null;
    } else if (chain && (m = /# handle (\d+)$/.exec(line))) {
      chain.handles.push(Number(m[1]));
    }
  }
  return layout;
}

/** Split an iptables-save rule line into words, honouring double quotes. */
export function splitRuleWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false, quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < line.length) { cur += line[++i]; continue; }
      if (ch === '"') { quoted = false; continue; }
      cur += ch;
    } else if (ch === '"') {
      quoted = true; inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) { words.push(cur); cur = ''; inWord = false; }
    } else {
      cur += ch; inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** table → chain → the target of each rule in order (`-j X` / `-g X` as written, null when none). */
export type RuleTargets = Map<string, Map<string, Array<string | null>>>;

/** Parse iptables-save text: the target of every `-A` rule, by table and chain, in order. */
export function parseRuleTargets(save: string): RuleTargets {
  const out: RuleTargets = new Map();
  let table: Map<string, Array<string | null>> | null = null;
  for (const raw of save.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      table = new Map();
      out.set(line.slice(1).trim(), table);
    } else if (table && line.startsWith('-A ')) {
      const w = splitRuleWords(line);
      const chain = w[1]!;
      let target: string | null = null;
      for (let i = 2; i < w.length - 1; i++) {
        if (w[i] === '-j' || w[i] === '--jump' || w[i] === '-g' || w[i] === '--goto') target = w[i + 1]!;
      }
      if (!table.has(chain)) table.set(chain, []);
      table.get(chain)!.push(target);
    }
  }
  return out;
}

/**
 * Turn the raw events into `hits`: events of the ip / ip6 tables only (not the harness's inet table),
 * in order. A rule event with a handle is a 'rule' hit at the handle's position; a rule event without a
 * handle is the end of a chain: a 'return' hit in a user chain, nothing in a built-in chain (its policy
 * event follows); a policy event is a 'policy' hit.
 */
export function eventsToHits(
  events: RawTraceEvent[],
  layout: RulesetLayout,
  targets: { ip?: RuleTargets; ip6?: RuleTargets },
): KernelHit[] {
  const hits: KernelHit[] = [];
  for (const ev of events) {
    const fam = NFPROTO_NAMES[ev.family];
    if ((fam !== 'ip' && fam !== 'ip6') || ev.table === undefined || ev.chain === undefined) continue;
    const table = ev.table, chain = ev.chain;
    const cl = layout.get(`${fam} ${table}`)?.get(chain);
    if (ev.type === 'policy') {
      hits.push({ table, chain, type: 'policy', rule: null, target: verdictName(ev.policy) });
    } else if (ev.handle !== undefined) {
      const idx = cl ? cl.handles.indexOf(ev.handle) : -1;
      const rule = idx >= 0 ? idx + 1 : null;
      const written = rule !== null ? targets[fam]?.get(table)?.get(chain)?.[rule - 1] : undefined;
      let target: string | null;
      if (written !== undefined) target = written;
      else if (ev.verdict === -3 || ev.verdict === -4) target = ev.jumpChain ?? null;
      else if (ev.verdict === -1) target = null;
      else target = verdictName(ev.verdict);
      hits.push({ table, chain, type: 'rule', rule, target });
    } else {
      const builtin = cl ? cl.base : ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(chain);
      if (!builtin) hits.push({ table, chain, type: 'return', rule: null, target: null });
    }
  }
  return hits;
}

// ---------------------------------------------------------------- nft marking table

/** The nft text of the harness's table: marks exactly the test packet, and notes where it got to. */
export function traceTableText(p: FrameSpec, marker: number): string {
  const proto = protoNumber(p.proto);
  const m: string[] = [];
  if (p.family === 4) m.push(`ip saddr ${p.src}`, `ip daddr ${p.dst}`, `ip id ${marker}`);
  else m.push(`ip6 saddr ${p.src}`, `ip6 daddr ${p.dst}`, `ip6 flowlabel ${marker}`);
  m.push(`meta l4proto ${proto}`);
  if (proto === 6 || proto === 17) m.push(`th sport ${p.sport ?? 40000}`, `th dport ${p.dport ?? 80}`);
  const match = m.join(' ');
  const end = (name: string, hook: string) =>
    `  chain ${name} {\n    type filter hook ${hook} priority 10000; policy accept;\n  }\n`;
  return `table inet ${TRACE_TABLE} {\n`
    + `  chain pre {\n    type filter hook prerouting priority -500; policy accept;\n    ${match} meta nftrace set 1\n  }\n`
    + `  chain out {\n    type filter hook output priority -500; policy accept;\n    ${match} meta nftrace set 1\n  }\n`
    + end('in_end', 'input') + end('fwd_end', 'forward') + end('post_end', 'postrouting')
    + '}\n';
}

// ---------------------------------------------------------------- observer process

export type ObserverLine =
  | RawTraceEvent
  | ObservedFrame
  | { kind: 'udp'; t: number; ns: string; port: number; from: string; fromPort: number; len: number }
  | { kind: 'accept'; t: number; ns: string; port: number; from: string }
  | { kind: 'ready' | 'go' | 'done'; t: number }
  | { kind: 'error'; message: string };

export interface ObserverConfig {
  traceNs: string;
  sniff: Array<{ ns: string; label: string; ifname?: string }>;
  listen: Array<{ ns: string; proto: 'tcp' | 'udp'; port: number }>;
  idleMs: number;
  minMs: number;
  maxMs: number;
}

export interface Observer {
  proc: ChildProcess;
  ready: Promise<void>;
  done: Promise<ObserverLine[]>;
  go(): void;
}

export function startObserver(cfg: ObserverConfig): Observer {
  const proc = spawn(python3(), ['-c', OBSERVER_PY, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: ObserverLine[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  let readyResolve!: () => void, readyReject!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => { readyResolve = res; readyReject = rej; });
  const rl = createInterface({ input: proc.stdout! });
  rl.on('line', (l) => {
    if (!l.trim()) return;
    let o: ObserverLine;
    try { o = JSON.parse(l) as ObserverLine; } catch { stderr += `unparsable: ${l}\n`; return; }
    lines.push(o);
    if (o.kind === 'ready') readyResolve();
    if (o.kind === 'error') readyReject(new Error(`trace observer: ${o.message}`));
  });
  const done = new Promise<ObserverLine[]>((res, rej) => {
    const killer = setTimeout(() => proc.kill('SIGKILL'), Math.max(15_000, cfg.maxMs + 10_000));
    proc.on('error', (e) => { clearTimeout(killer); readyReject(e); rej(e); });
    proc.on('close', (code, signal) => {
      clearTimeout(killer);
      if (code === 0) res(lines);
      else {
        const e = new Error(`trace observer exited with ${code ?? signal}: ${stderr.trim()}`);
        readyReject(e);
        rej(e);
      }
    });
  });
  done.catch(() => {}); // observed through `ready` or awaited later
  return {
    proc, ready, done,
    go() { proc.stdin!.end('GO\n'); },
  };
}

// ---------------------------------------------------------------- the run

function hostAddr(cidr: string): string {
  return cidr.split('/')[0]!;
}

function resolvePacket(p: KernelPacket, topo: Topology, marker: number): FrameSpec & { local: boolean } {
  const spec: FrameSpec & { local: boolean } = {
    ...p,
    local: p.local ?? false,
    srcMac: p.srcMac ?? topo.clientIf.mac,
    dstMac: p.dstMac ?? topo.bridge?.mac ?? topo.hostClientIf.mac,
  };
  if (p.family === 4) spec.ipId = marker;
  else spec.flowLabel = marker;
  if (spec.proto === 'tcp' || spec.proto === 6 || spec.proto === 'udp' || spec.proto === 17) {
    spec.sport ??= 40000;
    spec.dport ??= 80;
  }
  return spec;
}

function matchesMarker(pkt: ParsedPacket, spec: FrameSpec, marker: number): boolean {
  if (pkt.family !== spec.family || pkt.proto !== protoNumber(spec.proto)) return false;
  return spec.family === 4 ? pkt.ipId === marker : pkt.flowLabel === marker;
}

function replyTo(pkt: ParsedPacket, spec: FrameSpec, marker: number): Reply['kind'] | null {
  if (pkt.inner && matchesMarker(pkt.inner, spec, marker)) return 'icmp';
  if (pkt.proto === 6 && pkt.tcpFlags !== undefined && (pkt.tcpFlags & 0x04) !== 0
    && pkt.family === spec.family && pkt.dst === normalise(spec.family, spec.src)
    && pkt.dport === spec.sport && pkt.sport === spec.dport) return 'rst';
  return null;
}

function normalise(family: 4 | 6, addr: string): string {
  return family === 4 ? addr : formatIPv6(parseIPv6(addr));
}

const now = () => performance.now();

/**
 * Build the namespaces, load the rules into the host ns, inject the packet (from the client with
 * tcpreplay, or — `packet.local` — from the host ns with a raw socket), read what the kernel traced,
 * and delete everything again.
 */
export async function runKernelTrace(sc: KernelScenario): Promise<KernelTraceResult> {
  const timings: Record<string, number> = {};
  let t = now();
  const lap = (name: string) => { const n = now(); timings[name] = Math.round((n - t) * 10) / 10; t = n; };
  const start = t;

  const topo = createTopology(sc.topology);
  lap('topology');
  const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-kt-'));
  let observer: Observer | undefined;
  try {
    const local = sc.packet.local ?? false;
    const marker = sc.packet.family === 4 ? (sc.packet.ipId ?? randomInt(0x1000, 0x10000))
      : (sc.packet.flowLabel ?? randomInt(0x10000, 0x100000));
    const spec = resolvePacket(sc.packet, topo, marker);

    const withNl = (s: string) => (s.endsWith('\n') ? s : s + '\n');
    if (sc.rules) runInNs(topo.host, 'iptables-restore', [], { input: withNl(sc.rules) });
    if (sc.rules6) runInNs(topo.host, 'ip6tables-restore', [], { input: withNl(sc.rules6) });
    runInNs(topo.host, 'nft', ['-f', '-'], { input: traceTableText(spec, marker) });
    const layout = parseNftListing(runInNs(topo.host, 'nft', ['-a', 'list', 'ruleset']));
    const targets = {
      ip: sc.rules ? parseRuleTargets(runInNs(topo.host, 'iptables-save', [])) : undefined,
      ip6: sc.rules6 ? parseRuleTargets(runInNs(topo.host, 'ip6tables-save', [])) : undefined,
    };
    lap('rules');
    const inspected = sc.inspect ? await sc.inspect(topo) : undefined;
    lap('inspect');

    const proto = protoNumber(spec.proto);
    const listen: ObserverConfig['listen'] = [];
    const nsOf = (r: NsRole) => topo[r];
    if (sc.listen !== false && (proto === 6 || proto === 17)) {
      const roles: NsRole[] = local ? ['client', 'server'] : ['host', 'server'];
      for (const r of roles) listen.push({ ns: nsOf(r), proto: proto === 6 ? 'tcp' : 'udp', port: spec.dport! });
    }
    for (const l of sc.listen || []) {
      if (!listen.some((x) => x.ns === nsOf(l.ns) && x.proto === l.proto && x.port === l.port)) {
        listen.push({ ns: nsOf(l.ns), proto: l.proto, port: l.port });
      }
    }
    const sniff: ObserverConfig['sniff'] = [
      { ns: topo.client, label: 'client' },
      { ns: topo.server, label: 'server' },
    ];
    if (local) sniff.push({ ns: topo.host, label: 'host-lo', ifname: 'lo' });
    observer = startObserver({
      traceNs: topo.host, sniff, listen,
      idleMs: sc.timing?.idleMs ?? 100, minMs: sc.timing?.minMs ?? 150, maxMs: sc.timing?.maxMs ?? 1500,
    });
    await observer.ready;
    lap('listener');

    let sendError: KernelOutcome['sendError'];
    if (local) {
      const ip = buildIpPacket(spec);
      const out = runInNs(topo.host, python3(), ['-c', SENDER_PY, ip.toString('hex'), String(spec.family), spec.dst]);
      const r = JSON.parse(out.trim()) as { ok: boolean; errno?: number; error?: string };
      if (!r.ok) sendError = { errno: r.errno ?? -1, error: r.error ?? '' };
    } else {
      const pcap = join(tmp, 'packet.pcap');
      writePcap(pcap, [buildFrame(spec)]);
      runInNs(topo.client, 'tcpreplay', ['-q', '-t', '-i', topo.clientIf.name, pcap]);
    }
    lap('inject');
    observer.go();
    const lines = await observer.done;
    lap('settle');

    const rawEvents = lines.filter((l): l is RawTraceEvent => l.kind === 'trace');
    const frames = lines.filter((l): l is ObservedFrame => l.kind === 'frame');
    // Only the test packet is marked; its skb keeps one trace id through all hooks.
    const traceIds = [...new Set(rawEvents.map((e) => e.id).filter((x): x is string => x !== undefined))];
    const hits = eventsToHits(rawEvents, layout, targets);

    const seen = (chain: string) => rawEvents.some((e) => e.family === 1 && e.table === TRACE_TABLE && e.chain === chain);
    const passedInput = seen('in_end');
    const passedForward = seen('fwd_end');
    const passedPostrouting = seen('post_end');
    const replies: Reply[] = [];
    const arrived: KernelOutcome['arrived'] = [];
    for (const f of frames) {
      const pkt = parseFrame(Buffer.from(f.hex, 'hex'));
      if (!pkt) continue;
      const senderSide = local ? f.label === 'host-lo' : f.label === 'client';
      const kind = senderSide ? replyTo(pkt, spec, marker) : null;
      if (kind) {
        replies.push({ kind, from: pkt.src, icmpType: pkt.icmpType, icmpCode: pkt.icmpCode, at: f.label });
      } else if (f.label !== 'host-lo' && matchesMarker(pkt, spec, marker)) {
        arrived.push({ at: f.label, packet: pkt });
      }
    }
    const udpReceived = lines
      .filter((l): l is Extract<ObserverLine, { kind: 'udp' }> => l.kind === 'udp')
      .map(({ ns, port, from, fromPort }) => ({ ns, port, from, fromPort }));
    const outcome: KernelOutcome = {
      path: local ? 'output' : passedInput ? 'input' : passedForward ? 'forward' : 'dropped',
      passedInput, passedForward, passedPostrouting,
      delivered: passedInput || arrived.length > 0,
      forwarded: !local && passedPostrouting,
      sent: local && passedPostrouting,
      rejectSeen: replies.length > 0,
      replies, arrived, udpReceived,
      ...(sendError ? { sendError } : {}),
    };
    lap('analyse');
    return { hits, rawEvents, outcome, traceIds, frames, packet: spec, marker, timings, inspected };
  } finally {
    if (observer && observer.proc.exitCode === null && observer.proc.signalCode === null) observer.proc.kill('SIGKILL');
    destroyTopology(topo);
    rmSync(tmp, { recursive: true, force: true });
    lap('cleanup');
    timings.total = Math.round((now() - start) * 10) / 10;
  }
}
