import type { DecodedPacket, Layer } from '../../capture/decode/packet.js';
import { frameBytes } from '../../capture/frame.js';
import { destinationOf, protocolOf, sourceOf, summarize, tcpFlagsText, truncationText } from '../../capture/summary.js';
import { isoTime } from '../../capture/timestamp.js';
import { linkInfoOf, toEnginePacket } from '../../capture/to-packet.js';
import { safeText } from '../../views/safe-text.js';
import { type HostModel, tracePacket } from '../../trace/pipeline.js';
import { expressionOf, type TraceOutcome } from '../expression.js';
import { arraySource, type Row, type RowAction, type RowSource, type Tone } from '../rows.js';
import type { CaptureFile, ReplayAnswer } from './capture-file.js';

/** What the Capture view's rows are made of: the file's packets, each decoded when its row is drawn. */

const TIME_WIDTH = 12;
/** Fits an IPv4 address and a MAC; longer addresses (IPv6) are cut in the middle so that columns stay in line. */
const ADDRESS_WIDTH = 17;

function numberWidth(file: CaptureFile): number {
	return Math.max(5, String(file.count).length);
}

const FATE_WIDTH = 10;

/** A fate's colour: passed green, refused red, queued yellow, skipped dim (without colour the word says it). */
function fateTone(fate: ReplayAnswer['fate']): Tone {
	return fate === 'dropped' || fate === 'rejected' ? 'bad' : fate === 'queued' ? 'warn' : fate === 'skipped' ? 'dim' : 'good';
}

/** The column heads above the list. */
export function captureHeads(file: CaptureFile, fates: boolean): string {
	return `${'#'.padStart(numberWidth(file))} ${fates ? `${'fate'.padEnd(FATE_WIDTH)}` : ''}${'time'.padStart(TIME_WIDTH)}  ${'source'.padEnd(ADDRESS_WIDTH)}   ${'destination'.padEnd(ADDRESS_WIDTH)}  proto   len  summary`;
}

function packetLine(file: CaptureFile, index: number, d: DecodedPacket, fate: ReplayAnswer | undefined, fates: boolean): Row {
	const f = d.frame;
	const n = String(index + 1).padStart(numberWidth(file));
	const time = file.relativeTime(index).toFixed(6).padStart(TIME_WIDTH);
	const src = addressCell(sourceOf(d));
	const dst = addressCell(destinationOf(d));
	const fateText = fates ? (fate?.fate ?? '').padEnd(FATE_WIDTH) : '';
	const text = `${n} ${fateText}${time}  ${src} → ${dst}  ${protocolOf(d).padEnd(5)} ${String(f.len).padStart(5)}  ${safeText(summarize(d))}`;
	return fate ? { text, tone: 'normal', accent: { from: n.length + 1, to: n.length + 1 + fate.fate.length, tone: fateTone(fate.fate) } } : { text, tone: 'normal' };
}

/** An address in its column: whole when it fits, else its start and end around an ellipsis (the detail pane has it whole). */
function addressCell(address: string | null): string {
	const text = safeText(address ?? '-');
	if (text.length <= ADDRESS_WIDTH) return text.padEnd(ADDRESS_WIDTH);
	const head = Math.ceil((ADDRESS_WIDTH - 1) / 2);
	return `${text.slice(0, head)}…${text.slice(text.length - (ADDRESS_WIDTH - 1 - head))}`;
}

/** The trace of a captured packet, as `trace --pcap FILE --packet N` builds it; an error for a frame netsleuth cannot trace (ARP). */
function packetAction(d: DecodedPacket): RowAction {
	try {
		const packet = toEnginePacket(d);
		return { kind: 'packet', n: d.frame.n, expression: expressionOf(packet) };
	} catch (error) {
		return { kind: 'packet', n: d.frame.n, error: safeText((error as Error).message) };
	}
}

/** Traces captured packet n (1-based) with its own bytes, as `trace --pcap FILE --packet N` does. */
export function traceCapturedPacket(model: HostModel, file: CaptureFile, n: number): TraceOutcome {
	const started = performance.now();
	try {
		const trace = tracePacket(model, toEnginePacket(file.decoded(n - 1), linkInfoOf(model)));
		return { trace, milliseconds: performance.now() - started };
	} catch (error) {
		return { error: safeText((error as Error).message) };
	}
}

/**
 * The list: `count` is the rows shown now (it grows while the file loads), rows decode their packet on
 * demand; the few decoded lately are kept, as a frame draws the same rows again.
 */
export function captureRows(file: CaptureFile): RowSource {
	const fates = file.replayPass !== null;
	const cache = new Map<number, Row>();
	const row = (i: number): Row => {
		let found = cache.get(i);
		if (found === undefined) {
			if (cache.size > 512) cache.clear();
			const index = file.packetAt(i);
			found = packetLine(file, index, file.decoded(index), file.answer(index), fates);
			cache.set(i, found);
		}
		return found;
	};
	return {
		count: file.shown,
		row,
		text: (i) => row(i).text,
		action: (i) => packetAction(file.decoded(file.packetAt(i))),
		widest: 200,
	};
}

const LAYER_TITLES: Readonly<Record<Layer['kind'], string>> = {
	eth: 'Ethernet', sll: 'Linux cooked', sll2: 'Linux cooked v2', null: 'Loopback', vlan: '802.1Q VLAN', arp: 'ARP',
	ipv4: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', icmpv6: 'ICMPv6', dns: 'DNS', vxlan: 'VXLAN',
	geneve: 'Geneve', gre: 'GRE', wireguard: 'WireGuard',
};

const HEX_FIELDS = new Set(['checksum', 'type', 'protocol', 'id', 'flow', 'tclass', 'tos', 'ptype', 'htype']);

function fieldText(layer: Layer, key: string, value: unknown): string | undefined {
	if (value === undefined || value === false) return undefined;
	if (value === true) return key;
	if (layer.kind === 'tcp' && key === 'flags') return `flags ${tcpFlagsText(value as number)}`;
	if (Array.isArray(value)) return value.length ? `${key} ${value.join(',')}` : undefined;
	if (typeof value === 'number' && HEX_FIELDS.has(key)) return `${key} 0x${value.toString(16)}`;
	if (typeof value === 'object' && value !== null) return `${key} ${Object.entries(value).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`;
	return `${key} ${String(value)}`;
}

const LAYER_INDENT = 22;

/** Each layer: its name, where it starts in the frame, and every field it decoded, wrapped to the width. */
export function layerLines(d: DecodedPacket, width: number): string[] {
	const lines: string[] = [];
	for (const layer of d.layers) {
		let line = `${LAYER_TITLES[layer.kind].padEnd(16)}@${String(layer.offset).padEnd(4)} `;
		let fresh = true;
		for (const [key, value] of Object.entries(layer)) {
			if (key === 'kind' || key === 'offset') continue;
			const text = fieldText(layer, key, value);
			if (text === undefined) continue;
			if (!fresh && line.length + 2 + text.length > width) {
				lines.push(safeText(line));
				line = ' '.repeat(LAYER_INDENT);
				fresh = true;
			}
			line += fresh ? text : `  ${text}`;
			fresh = false;
		}
		lines.push(safeText(line));
	}
	return lines;
}

/** A hex dump, 16 bytes a line, with the printable ASCII beside it; any other byte shows as '.'. */
export function hexDump(bytes: Uint8Array): string[] {
	const lines: string[] = [];
	for (let at = 0; at < bytes.length; at += 16) {
		const slice = bytes.subarray(at, at + 16);
		let hex = '';
		let text = '';
		for (let i = 0; i < 16; i++) {
			if (i === 8) hex += ' ';
			const b = slice[i];
			hex += b === undefined ? '   ' : `${b.toString(16).padStart(2, '0')} `;
			if (b !== undefined) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
		}
		lines.push(`${at.toString(16).padStart(4, '0')}  ${hex} ${text}`);
	}
	return lines;
}

/** The detail pane: the packet in one line, where and when, the replay's answer, each layer, then its bytes. */
export function detailRows(d: DecodedPacket, fate: ReplayAnswer | undefined, width: number): RowSource {
	const f = d.frame;
	const rows: Row[] = [
		{ text: safeText(`packet ${f.n}: ${summarize(d)}`), tone: 'heading' },
		{ text: safeText(`${isoTime(f, ' ') ?? 'no timestamp'} · ${f.len} bytes on the wire, ${f.caplen} captured${f.ifName ? ` · interface ${f.ifName}` : ''}`), tone: 'dim' },
	];
	if (fate) rows.push({ text: `replay: ${fate.text}${fate.ct ? ` · conntrack ${fate.ct}` : ''}${fate.flow ? ` · flow ${fate.flow}` : ''}`, tone: fateTone(fate.fate) });
	for (const text of layerLines(d, width)) rows.push({ text, tone: 'normal' });
	if (d.truncated) rows.push({ text: safeText(truncationText(d.truncated)), tone: 'warn' });
	for (const note of d.notes ?? []) rows.push({ text: safeText(note), tone: 'warn' });
	for (const text of hexDump(frameBytes(f))) rows.push({ text, tone: 'dim' });
	return arraySource(rows);
}
