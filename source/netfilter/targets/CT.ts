import type { Packet } from '../../packet/packet.js';
import type { OptionUse, ParseContext, TargetEnv, TargetExtension } from '../extension.js';
import { flag, targetOptions, value } from './target-options.js';

export interface CtOptions {
	readonly notrack: boolean;
	readonly helper?: string;
	readonly timeout?: string;
	/** Zone for both directions, or per direction; 'mark': taken from the packet's mark. */
	readonly zone?: number | 'mark';
	readonly zoneOrig?: number | 'mark';
	readonly zoneReply?: number | 'mark';
}

const OPTIONS = ['--notrack', '--helper', '--timeout', '--ctevents', '--expevents', '--zone', '--zone-orig', '--zone-reply'];
const CT_EVENTS = ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'];
const EXP_EVENTS = ['new'];

function zone(ctx: ParseContext, use: OptionUse | undefined): number | 'mark' | undefined {
	if (!use) return undefined;
	const token = ctx.arg(use, 'a zone id or "mark"');
	if (token.text === 'mark') return 'mark';
	return ctx.integer(token, 'zone id', 0, 65535);
}

function events(ctx: ParseContext, use: OptionUse | undefined, known: readonly string[]): void {
	if (!use) return;
	const token = ctx.arg(use, 'event[,event…]');
	for (const name of token.text.split(',')) if (!known.includes(name)) ctx.fail(token, `unknown event type "${name}": expected ${known.join(', ')}`);
}

/** The connection is untracked: what CT --notrack and NOTRACK do (nothing if an earlier rule already did it). */
export function untrack(packet: Packet, env: TargetEnv): void {
	if (packet.ctState !== 'UNTRACKED') env.untrack();
}

/**
 * CT attaches a conntrack template to the packet before conntrack sees it (raw table), then lets the packet
 * go on: --notrack leaves it untracked; zone, helper and timeout policy shape the connection conntrack
 * then creates, which netsleuth states rather than models.
 */
export const CT: TargetExtension<CtOptions> = {
	name: 'CT',
	reads: {},
	tables: ['raw'],
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'CT', OPTIONS);
		events(ctx, options.get('--ctevents'), CT_EVENTS);
		events(ctx, options.get('--expevents'), EXP_EVENTS);
		const helper = value(ctx, options, '--helper', 'a helper name')?.text;
		const timeout = value(ctx, options, '--timeout', 'a timeout policy name')?.text;
		const result: CtOptions = {
			notrack: flag(ctx, options, '--notrack'),
			...(helper !== undefined ? { helper } : {}),
			...(timeout !== undefined ? { timeout } : {}),
		};
		const both = zone(ctx, options.get('--zone'));
		const orig = zone(ctx, options.get('--zone-orig'));
		const reply = zone(ctx, options.get('--zone-reply'));
		if (result.notrack && options.size > 1) ctx.warn(options.get('--notrack')!.token, 'with --notrack the kernel ignores the other CT options');
		return { ...result, ...(both !== undefined ? { zone: both } : {}), ...(orig !== undefined ? { zoneOrig: orig } : {}), ...(reply !== undefined ? { zoneReply: reply } : {}) };
	},
	apply(o, packet, env) {
		if (o.notrack) {
			untrack(packet, env);
			return { kind: 'continue' };
		}
		if (packet.ctState === 'UNTRACKED') return { kind: 'continue' };
		const zoneText = (z: number | 'mark') => (z === 'mark' ? `the packet's mark (${packet.mark})` : String(z));
		const zones = [
			o.zone !== undefined && o.zone !== 0 ? `zone ${zoneText(o.zone)}` : '',
			o.zoneOrig !== undefined && o.zoneOrig !== 0 ? `zone ${zoneText(o.zoneOrig)} in the original direction` : '',
			o.zoneReply !== undefined && o.zoneReply !== 0 ? `zone ${zoneText(o.zoneReply)} in the reply direction` : '',
		].filter(Boolean);
		if (zones.length) env.assume(`CT: conntrack looks this connection up in ${zones.join(', ')}; netsleuth does not model zones (the connection state is taken as given)`);
		if (o.helper) env.assume(`CT --helper ${o.helper}: a new connection gets the ${o.helper} helper, which may open RELATED connections netsleuth does not model`);
		if (o.timeout) env.assume(`CT --timeout ${o.timeout}: the connection follows timeout policy "${o.timeout}" (not known to netsleuth)`);
		return { kind: 'continue' };
	},
};
