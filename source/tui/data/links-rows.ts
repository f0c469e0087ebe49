import { linkDetails, stateText, visitLinkTree } from '../../commands/show.js';
import type { LinkModel } from '../../links/model.js';
import { safeText } from '../../views/safe-text.js';
import { arraySource, type Row, type RowSource } from '../rows.js';

/**
 * Interfaces as a tree: a bridge (or bond) with its ports under it, each link's kind, state and what it
 * hangs off (veth ↔ peer, vlan → parent, vxlan → underlay), its addresses, and the bridge's fdb per port.
 */
export function linksRows(model: LinkModel | undefined, problem?: string): RowSource {
	const rows: Row[] = [];
	if (!model) {
		rows.push({ text: safeText(problem ?? 'No interfaces were read.'), tone: 'warn' });
		return arraySource(rows);
	}
	const fdbByPort = new Map<string, string[]>();
	for (const bridge of model.bridges) {
		for (const e of bridge.fdb) {
			if (e.state === 'permanent') continue;
			const line = `fdb ${e.mac}${e.vlan !== undefined ? ` vlan ${e.vlan}` : ''} ${e.state}${e.dst ? ` → ${e.dst}` : ''}`;
			fdbByPort.set(e.port, [...(fdbByPort.get(e.port) ?? []), line]);
		}
	}
	visitLinkTree(model, (link, prefix, childPrefix, hasChildren) => {
		rows.push({
			text: safeText(`${prefix}${link.name}`.padEnd(24) + ` ${link.kind.padEnd(9)} ${stateText(link).padEnd(8)} ${linkDetails(link)}`.trimEnd()),
			tone: link.kind === 'bridge' || link.kind === 'bond' ? 'subheading' : link.up ? 'normal' : 'dim',
		});
		const inner = `${childPrefix}${hasChildren ? '│  ' : '   '}`;
		for (const a of link.addresses) rows.push({ text: safeText(`${inner}  ${a.address}/${a.prefix}`), tone: 'accent' });
		for (const line of fdbByPort.get(link.name) ?? []) rows.push({ text: safeText(`${inner}  ${line}`), tone: 'dim' });
	});
	for (const warning of model.warnings) rows.push({ text: safeText(`note: ${warning}`), tone: 'warn' });
	return arraySource(rows);
}
