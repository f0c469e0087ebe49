// Network namespaces for the kernel differential tests.
//
// Topology (all links are veth pairs created directly inside our namespaces; the host's own
// interfaces, routes and rules are never touched):
//
//   client ns  eth0 ──veth── eth0  host ns  eth1 ──veth── eth0  server ns
//
// With `host.bridge`, the host's eth0 and eth1 are the ports of a bridge br0 that holds the host's
// addresses, and client and server share one subnet (BRIDGE_TOPOLOGY):
//
//   client ns  eth0 ──veth── eth0 ┐ br0 (host ns) ┌ eth1 ──veth── eth0  server ns
//
// Every namespace we create is named `${NS_PREFIX}${pid}-${n}-{c,h,s}`, so concurrent test processes do
// not collide and stale namespaces (their pid is gone) can be removed at start.

import { execFileSync } from 'node:child_process';
import { accessSync, constants as fsc, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const NS_PREFIX = 'nsltk-';
const NETNS_DIR = '/run/netns';

// ---------------------------------------------------------------- running commands

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string | Buffer;
  /** Kill the command after this long (default 10 s). */
  timeoutMs?: number;
}

/** Run a command (argument array, no shell) and return its stdout; throws with stderr in the message. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): string {
  try {
    return execFileSync(cmd, args, {
      input: opts.input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 10_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string | Buffer; stdout?: string | Buffer; status?: number | null; message: string };
    const stderr = String(e.stderr ?? '').trim();
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${e.status ?? '?'}): ${stderr || e.message}`);
  }
}

/** Run a command inside the namespace `ns` (`ip netns exec NS CMD ARGS…`). */
export function runInNs(ns: string, cmd: string, args: string[], opts: RunOptions = {}): string {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

// ---------------------------------------------------------------- tools and privileges

const REQUIRED_TOOLS = [
  'ip', 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save', 'nft', 'tcpreplay', 'sysctl',
];

function findExecutable(name: string): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The python3 used for the trace listener and the local sender (the system one when present: faster than shims). */
export function python3(): string {
  for (const p of ['/usr/bin/python3', '/bin/python3']) if (isExecutable(p)) return p;
  return findExecutable('python3') ?? 'python3';
}

export interface Testability {
  ok: boolean;
  /** Why not, in one line. */
  reason?: string;
}

let cachedTestability: Testability | undefined;

/**
 * Whether the kernel tests can run here: Linux, root, the tools (ip, iptables-restore with the nf_tables
 * backend, nft, tcpreplay, python3, sysctl), and namespaces can really be created (probed once).
 */
export function kernelTestability(): Testability {
  if (cachedTestability) return cachedTestability;
  cachedTestability = probe();
  return cachedTestability;
}

export function isKernelTestable(): boolean {
  return kernelTestability().ok;
}

function probe(): Testability {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'not root' };
  const missing = REQUIRED_TOOLS.filter((t) => !findExecutable(t));
  if (!findExecutable('python3') && !isExecutable('/usr/bin/python3')) missing.push('python3');
  if (missing.length > 0) return { ok: false, reason: `missing tools: ${missing.join(', ')}` };
  try {
    const v = run('iptables-restore', ['-V']);
    if (!v.includes('nf_tables')) return { ok: false, reason: `iptables-restore is not the nf_tables backend (${v.trim()})` };
  } catch (err) {
    return { ok: false, reason: `iptables-restore -V: ${(err as Error).message.split('\n')[0]}` };
  }
  const probeNs = `${NS_PREFIX}${process.pid}-probe`;
  try {
    run('ip', ['netns', 'add', probeNs]);
    run('ip', ['-n', probeNs, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    return { ok: false, reason: `cannot create network namespaces: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    try { deleteNamespace(probeNs); } catch { /* best effort */ }
  }
  return { ok: true };
}

/**
 * For node:test: returns true when the kernel tests can run. Otherwise skips the test with a one-line
 * notice and returns false — except when process.env.CI === 'true', where it throws (the test fails),
 * so a CI runner that silently lost its privileges does not pass by skipping.
 *
 *   test('…', async (t) => { if (!requireKernelOrSkip(t)) return; … })
 */
export function requireKernelOrSkip(t: { skip(message?: string): void }): boolean {
  return decideKernelRun(kernelTestability(), process.env, t);
}

/** The decision of requireKernelOrSkip, with its inputs passed in (for testing it). */
export function decideKernelRun(
  r: Testability,
  env: Record<string, string | undefined>,
  t: { skip(message?: string): void },
): boolean {
  if (r.ok) return true;
  if (env.CI === 'true') throw new Error(`kernel tests cannot run in CI: ${r.reason}`);
  t.skip(`kernel tests need root and namespaces: ${r.reason}`);
  return false;
}

// ---------------------------------------------------------------- namespaces

export function listNamespaces(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

export function createNamespace(name: string): void {
  if (!name.startsWith(NS_PREFIX)) throw new Error(`namespace ${name} lacks the prefix ${NS_PREFIX}`);
  run('ip', ['netns', 'add', name]);
}

/** Delete one of our namespaces (its veth ends go with it). Missing is fine. */
export function deleteNamespace(name: string): void {
  if (!name.startsWith(NS_PREFIX)) throw new Error(`refusing to delete ${name}: not ours`);
  if (!existsSync(join(NETNS_DIR, name))) return;
  run('ip', ['netns', 'del', name]);
}

/** A process with this id exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Delete namespaces with our prefix whose creating process is gone. Returns the names deleted. */
export function cleanupStaleNamespaces(): string[] {
  const deleted: string[] = [];
  for (const name of listNamespaces()) {
    if (!name.startsWith(NS_PREFIX)) continue;
    const m = /^(\d+)-/.exec(name.slice(NS_PREFIX.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    try {
      deleteNamespace(name);
      deleted.push(name);
    } catch { /* another process may have raced us */ }
  }
  return deleted;
}

// ---------------------------------------------------------------- topology

export interface IfaceSpec {
  /** Interface name inside its namespace. */
  name?: string;
  mac?: string;
  /** CIDR addresses, IPv4 and/or IPv6 (IPv6 ones are added with nodad). */
  addrs?: string[];
}

export interface EndSpec extends IfaceSpec {
  /**
   * `ip route add` argument strings, e.g. 'default via 10.2.67.1' or '-6 unreachable 2001:db8::/32'.
   * Default: 'default via ADDR' for each host-side address of a family this end has.
   */
  routes?: string[];
  /** Extra sysctls, `key: value` (e.g. 'net.ipv4.conf.all.rp_filter': 1). */
  sysctls?: Record<string, string | number>;
}

export interface BridgeSpec {
  /** Default br0. */
  name?: string;
  /** Default 02:00:00:00:0b:01 (set explicitly: a bridge otherwise takes its lowest port's MAC). */
  mac?: string;
  /** Default BRIDGE_TOPOLOGY.bridge.addrs; the host's veth ports get none unless given. */
  addrs?: string[];
  /** `bridge fdb replace` argument strings, e.g. '02:00:00:00:09:02 dev eth1 master static'. */
  fdb?: string[];
  /** `bridge link set` argument strings, e.g. 'dev eth1 state 1' or 'dev eth1 flood off'. */
  links?: string[];
  /** Options for `ip link set BR type bridge …`, e.g. ['nf_call_iptables', '1']. */
  options?: string[];
  /** `ip neigh replace` argument strings, e.g. '10.2.67.2 lladdr 02:00:00:00:09:02 dev br0 nud permanent'. */
  neigh?: string[];
}

export interface HostSpec {
  /** Make the host a bridge: its client- and server-side veths become ports of this bridge. */
  bridge?: BridgeSpec;
  /** The interface toward the client (default eth0). */
  clientIf?: IfaceSpec;
  /** The interface toward the server (default eth1). */
  serverIf?: IfaceSpec;
  routes?: string[];
  /** net.ipv4.ip_forward (default true). */
  ipForward?: boolean;
  /** net.ipv6.conf.all.forwarding (default true). */
  ip6Forward?: boolean;
  sysctls?: Record<string, string | number>;
}

export interface TopologySpec {
  client?: EndSpec;
  host?: HostSpec;
  server?: EndSpec;
}

export interface ResolvedIface {
  ns: string;
  name: string;
  mac: string;
  addrs: string[];
}

export interface Topology {
  /** Namespace names. */
  client: string;
  host: string;
  server: string;
  clientIf: ResolvedIface;
  hostClientIf: ResolvedIface;
  hostServerIf: ResolvedIface;
  serverIf: ResolvedIface;
  /** All namespaces, for cleanup. */
  namespaces: string[];
  /** The bridge, when the host is one (its ports are hostClientIf and hostServerIf). */
  bridge?: ResolvedIface;
}

/** The defaults (every field can be overridden by the scenario's TopologySpec). */
export const DEFAULT_TOPOLOGY = {
  client: {
    name: 'eth0', mac: '02:00:00:00:01:71', addrs: ['10.2.67.113/24', 'fd00:1::113/64'],
    // routes: default via each host-side address of the same family
  },
  hostClientIf: { name: 'eth0', mac: '02:00:00:00:01:01', addrs: ['10.2.67.1/24', 'fd00:1::1/64'] },
  hostServerIf: { name: 'eth1', mac: '02:00:00:00:09:01', addrs: ['10.9.0.1/24', 'fd00:9::1/64'] },
  server: {
    name: 'eth0', mac: '02:00:00:00:09:02', addrs: ['10.9.0.2/24', 'fd00:9::2/64'],
  },
} as const;

/** The bridged topology's defaults: client and server in one subnet, the host's addresses on br0. */
export const BRIDGE_TOPOLOGY = {
  bridge: { name: 'br0', mac: '02:00:00:00:0b:01', addrs: ['10.2.67.1/24', 'fd00:1::1/64'] },
  server: { addrs: ['10.2.67.2/24', 'fd00:1::2/64'] },
} as const;

// Quiet namespaces: no DAD delay, no router solicitations / RAs, no IPv6 autoconf noise.
const BASE_SYSCTLS: Record<string, string | number> = {
  'net.ipv6.conf.all.accept_dad': 0,
  'net.ipv6.conf.default.accept_dad': 0,
  'net.ipv6.conf.all.router_solicitations': 0,
  'net.ipv6.conf.default.router_solicitations': 0,
  'net.ipv6.conf.all.accept_ra': 0,
  'net.ipv6.conf.default.accept_ra': 0,
};

let counter = 0;
let staleCleaned = false;

function sysctl(ns: string, values: Record<string, string | number>): void {
  const args = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  if (args.length > 0) runInNs(ns, 'sysctl', ['-q', '-w', ...args]);
}

function ipBatch(ns: string, lines: string[]): void {
  if (lines.length > 0) run('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

function addrLines(ifc: ResolvedIface): string[] {
  return ifc.addrs.map((a) => `addr add ${a} dev ${ifc.name}${a.includes(':') ? ' nodad' : ''}`);
}

/** `ip -batch` lines cannot carry -4/-6, so routes with an explicit family are added one by one. */
function addRoutes(ns: string, routes: readonly string[]): void {
  const batch: string[] = [];
  for (const r of routes) {
    const m = /^\s*(-[46])\s+(.*)$/.exec(r);
    if (m) run('ip', ['-n', ns, m[1]!, 'route', 'add', ...m[2]!.trim().split(/\s+/)]);
    else batch.push(`route add ${r.trim()}`);
  }
  ipBatch(ns, batch);
}

/** Default routes of an end: via each host address whose family the end also has. */
function defaultRoutes(end: ResolvedIface, hostSide: ResolvedIface): string[] {
  const fams = new Set(end.addrs.map((a) => (a.includes(':') ? 6 : 4)));
  return hostSide.addrs
    .filter((a) => fams.has(a.includes(':') ? 6 : 4))
    .map((a) => `default via ${a.split('/')[0]}`);
}

/** Build client — host — server. On any failure everything created so far is deleted again. */
export function createTopology(spec: TopologySpec = {}): Topology {
  if (!staleCleaned) {
    cleanupStaleNamespaces();
    staleCleaned = true;
  }
  const base = `${NS_PREFIX}${process.pid}-${++counter}`;
  const d = DEFAULT_TOPOLOGY;
  const br = spec.host?.bridge;
  const topo: Topology = {
    client: `${base}-c`,
    host: `${base}-h`,
    server: `${base}-s`,
    clientIf: {
      ns: `${base}-c`, name: spec.client?.name ?? d.client.name, mac: spec.client?.mac ?? d.client.mac,
      addrs: [...(spec.client?.addrs ?? d.client.addrs)],
    },
    hostClientIf: {
      ns: `${base}-h`, name: spec.host?.clientIf?.name ?? d.hostClientIf.name,
      mac: spec.host?.clientIf?.mac ?? d.hostClientIf.mac, addrs: [...(spec.host?.clientIf?.addrs ?? (br ? [] : d.hostClientIf.addrs))],
    },
    hostServerIf: {
      ns: `${base}-h`, name: spec.host?.serverIf?.name ?? d.hostServerIf.name,
      mac: spec.host?.serverIf?.mac ?? d.hostServerIf.mac, addrs: [...(spec.host?.serverIf?.addrs ?? (br ? [] : d.hostServerIf.addrs))],
    },
    serverIf: {
      ns: `${base}-s`, name: spec.server?.name ?? d.server.name, mac: spec.server?.mac ?? d.server.mac,
      addrs: [...(spec.server?.addrs ?? (br ? BRIDGE_TOPOLOGY.server.addrs : d.server.addrs))],
    },
    namespaces: [],
    ...(br ? {
      bridge: {
        ns: `${base}-h`, name: br.name ?? BRIDGE_TOPOLOGY.bridge.name, mac: br.mac ?? BRIDGE_TOPOLOGY.bridge.mac,
        addrs: [...(br.addrs ?? BRIDGE_TOPOLOGY.bridge.addrs)],
      },
    } : {}),
  };
  try {
    for (const ns of [topo.client, topo.host, topo.server]) {
      createNamespace(ns);
      topo.namespaces.push(ns);
    }
    sysctl(topo.client, { ...BASE_SYSCTLS, ...spec.client?.sysctls });
    sysctl(topo.server, { ...BASE_SYSCTLS, ...spec.server?.sysctls });
    sysctl(topo.host, {
      ...BASE_SYSCTLS,
      'net.ipv4.ip_forward': spec.host?.ipForward === false ? 0 : 1,
      'net.ipv6.conf.all.forwarding': spec.host?.ip6Forward === false ? 0 : 1,
      ...spec.host?.sysctls,
    });
    const h1 = topo.hostClientIf, h2 = topo.hostServerIf, c = topo.clientIf, s = topo.serverIf;
    ipBatch(topo.host, [
      'link set lo up',
      `link add ${h1.name} address ${h1.mac} type veth peer name ${c.name} address ${c.mac} netns ${topo.client}`,
      `link add ${h2.name} address ${h2.mac} type veth peer name ${s.name} address ${s.mac} netns ${topo.server}`,
      ...addrLines(h1), ...addrLines(h2),
      `link set ${h1.name} up`, `link set ${h2.name} up`,
    ]);
    const b = topo.bridge;
    if (b && br) {
      ipBatch(topo.host, [
        `link add ${b.name} address ${b.mac} type bridge${br.options?.length ? ` ${br.options.join(' ')}` : ''}`,
        `link set ${h1.name} master ${b.name}`, `link set ${h2.name} master ${b.name}`,
        ...addrLines(b), `link set ${b.name} up`,
      ]);
    }
    ipBatch(topo.client, ['link set lo up', ...addrLines(c), `link set ${c.name} up`]);
    ipBatch(topo.server, ['link set lo up', ...addrLines(s), `link set ${s.name} up`]);
    if (br) {
      // After both veth ends are up: a port's STP state cannot be set while its carrier is down.
      for (const entry of br.fdb ?? []) run('bridge', ['-netns', topo.host, 'fdb', 'replace', ...entry.trim().split(/\s+/)]);
      for (const entry of br.links ?? []) run('bridge', ['-netns', topo.host, 'link', 'set', ...entry.trim().split(/\s+/)]);
      for (const entry of br.neigh ?? []) run('ip', ['-n', topo.host, 'neigh', 'replace', ...entry.trim().split(/\s+/)]);
    }
    addRoutes(topo.host, spec.host?.routes ?? []);
    addRoutes(topo.client, spec.client?.routes ?? defaultRoutes(c, b ?? h1));
    addRoutes(topo.server, spec.server?.routes ?? defaultRoutes(s, b ?? h2));
    return topo;
  } catch (err) {
    destroyTopology(topo);
    throw err;
  }
}

/** Delete the topology's namespaces; never throws (errors are collected and returned). */
export function destroyTopology(topo: Topology): string[] {
  const errors: string[] = [];
  for (const ns of [...topo.namespaces].reverse()) {
    try {
      deleteNamespace(ns);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  topo.namespaces = [];
  return errors;
}

/** Create a topology, run `fn`, and always delete the namespaces again. */
export async function withTopology<T>(spec: TopologySpec, fn: (topo: Topology) => T | Promise<T>): Promise<T> {
  const topo = createTopology(spec);
  try {
    return await fn(topo);
  } finally {
    destroyTopology(topo);
  }
}
