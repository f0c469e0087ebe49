import type { MatchExtension } from '../extension.js';
import { interfaceMatches, interfaceName, readOptions } from './extension-kit.js';

interface Flag {
	readonly negated: boolean;
}

export interface PhysdevOptions {
	readonly in?: Flag & { readonly name: string };
	readonly out?: Flag & { readonly name: string };
	readonly isIn?: Flag;
	readonly isOut?: Flag;
	readonly isBridged?: Flag;
}

/**
 * -m physdev: the bridge ports a bridged packet came in and goes out by (xt_physdev). A packet that did
 * not cross a bridge matches only when every option given is negated, as in the kernel.
 */
export const physdev: MatchExtension<PhysdevOptions> = {
	name: 'physdev',
	reads: {},
	parse(uses, ctx) {
		const o: { -readonly [K in keyof PhysdevOptions]: PhysdevOptions[K] } = {};
		for (const use of readOptions('physdev', uses, ctx, {
			'--physdev-in': { args: 1, negatable: true },
			'--physdev-out': { args: 1, negatable: true },
			'--physdev-is-in': { args: 0, negatable: true },
			'--physdev-is-out': { args: 0, negatable: true },
			'--physdev-is-bridged': { args: 0, negatable: true },
		})) {
			switch (use.name) {
				case '--physdev-in': o.in = { name: interfaceName(ctx, use), negated: use.negated }; break;
				case '--physdev-out': o.out = { name: interfaceName(ctx, use), negated: use.negated }; break;
				case '--physdev-is-in': o.isIn = { negated: use.negated }; break;
				case '--physdev-is-out': o.isOut = { negated: use.negated }; break;
				default: o.isBridged = { negated: use.negated };
			}
		}
		if (!o.in && !o.out && !o.isIn && !o.isOut && !o.isBridged) ctx.fail(ctx.anchor, 'physdev needs at least one option');
		return o;
	},
	evaluate(o, packet, env) {
		const indev = packet.physIn;
		const outdev = packet.physOut;
		if (indev === undefined && outdev === undefined) {
			const given = [o.isBridged, o.isIn, o.isOut, o.in, o.out].filter((f) => f !== undefined);
			if (given.every((f) => f!.negated)) return null;
			return 'the packet did not cross a bridge (no bridge ports)';
		}
		if (o.isBridged && (outdev !== undefined) === o.isBridged.negated) {
			return outdev === undefined ? 'the packet is not bridged to another port (no bridge output port)' : `the packet is bridged out of ${outdev}, which ! --physdev-is-bridged excludes`;
		}
		if (o.isIn && (indev !== undefined) === o.isIn.negated) return indev === undefined ? 'the packet did not enter through a bridge port' : `the packet entered through bridge port ${indev}, which ! --physdev-is-in excludes`;
		if (o.isOut && (outdev !== undefined) === o.isOut.negated) return outdev === undefined ? 'the packet does not leave through a bridge port' : `the packet leaves through bridge port ${outdev}, which ! --physdev-is-out excludes`;
		// A bridged packet without an input port (locally sent onto a bridge) skips --physdev-in, as in the kernel.
		if (o.in && indev !== undefined && interfaceMatches(o.in.name, indev) === o.in.negated) {
			return `bridge input port ${indev} is ${o.in.negated ? '' : 'not '}${o.in.name}`;
		}
		if (o.out) {
			// As xt_physdev: no bridge output port (yet) fails --physdev-out, negated or not.
			if (outdev === undefined) return `the packet has no bridge output port${env.hook === 'PREROUTING' || env.hook === 'INPUT' ? ` in ${env.hook}` : ''}`;
			if (interfaceMatches(o.out.name, outdev) === o.out.negated) return `bridge output port ${outdev} is ${o.out.negated ? '' : 'not '}${o.out.name}`;
		}
		return null;
	},
};
