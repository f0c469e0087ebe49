import { formatIp } from '../../packet/address.js';
import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface ConnlimitOptions {
	/** upto: matches while the count is at most `limit`; above: once it exceeds it. */
	readonly kind: 'upto' | 'above';
	readonly limit: number;
	readonly mask?: number;
	readonly by: 'source' | 'destination';
}

/**
 * -m connlimit: the number of connections from one source (or to one destination) group (xt_connlimit).
 * The connection table is not known: the count is assumed to be this connection alone, and said so.
 */
export const connlimit: MatchExtension<ConnlimitOptions> = {
	name: 'connlimit',
	reads: { state: true },
	parse(uses, ctx) {
		let kind: 'upto' | 'above' | undefined;
		let count: number | undefined;
		let mask: number | undefined;
		let by: 'source' | 'destination' | undefined;
		for (const use of readOptions('connlimit', uses, ctx, {
			'--connlimit-upto': { args: 1, negatable: true },
			'--connlimit-above': { args: 1, negatable: true },
			'--connlimit-mask': { args: 1 },
			'--connlimit-saddr': { args: 0 },
			'--connlimit-daddr': { args: 0 },
		})) {
			const token = use.args[0];
			switch (use.name) {
				case '--connlimit-upto':
				case '--connlimit-above':
					if (kind) ctx.fail(use.token, 'connlimit takes one of --connlimit-upto and --connlimit-above');
					kind = (use.name === '--connlimit-above') !== use.negated ? 'above' : 'upto';
					count = ctx.integer(token!, 'a connection count', 0, 0xffffffff);
					break;
				case '--connlimit-mask': mask = ctx.integer(token!, 'a prefix length', 0, ctx.family === 4 ? 32 : 128); break;
				default: {
					const b = use.name === '--connlimit-saddr' ? 'source' : 'destination';
					if (by && by !== b) ctx.fail(use.token, 'connlimit takes --connlimit-saddr or --connlimit-daddr, not both');
					by = b;
				}
			}
		}
		const limit = ctx.require(count, 'connlimit needs --connlimit-upto or --connlimit-above');
		return { kind: kind!, limit, mask, by: by ?? 'source' };
	},
	evaluate(o, packet, env) {
		const address = formatIp(o.by === 'source' ? packet.src : packet.dst);
		const group = `${o.by} ${address}${o.mask !== undefined ? `/${o.mask}` : ''}`;
		// The kernel counts the packet's own connection too: a first packet alone makes a count of 1.
		const count = 1;
		const within = count <= o.limit;
		return assumeThat(
			env,
			`-m connlimit: the other connections of ${group} are not known; the count is assumed to be ${count} (this connection only)`,
			o.kind === 'upto' ? within : !within,
			o.kind === 'upto' ? `${count} connection of ${group} (assumed) is above ${o.limit}` : `${count} connection of ${group} (assumed) is not above ${o.limit}`,
		);
	},
};
