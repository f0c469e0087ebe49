import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface SocketOptions {
	readonly transparent: boolean;
	readonly nowildcard: boolean;
	readonly restoreSkmark: boolean;
}

/**
 * -m socket: a local socket exists for the packet (xt_socket, used with TPROXY). The host's sockets are
 * not known: no socket is assumed, so the match fails, and the trace says so.
 */
export const socket: MatchExtension<SocketOptions> = {
	name: 'socket',
	reads: {},
	parse(uses, ctx) {
		const o = { transparent: false, nowildcard: false, restoreSkmark: false };
		for (const use of readOptions('socket', uses, ctx, {
			'--transparent': { args: 0 },
			'--nowildcard': { args: 0 },
			'--restore-skmark': { args: 0 },
		})) {
			if (use.name === '--transparent') o.transparent = true;
			else if (use.name === '--nowildcard') o.nowildcard = true;
			else o.restoreSkmark = true;
		}
		return o;
	},
	evaluate(o, _packet, env) {
		if (env.hook !== 'PREROUTING' && env.hook !== 'INPUT') return `-m socket works in PREROUTING and INPUT (here ${env.hook})`;
		return assumeThat(env, `the host's sockets are not known: no local socket is assumed for the packet${o.transparent ? ' (--transparent)' : ''}`, false, 'no local socket is assumed for the packet');
	},
};
