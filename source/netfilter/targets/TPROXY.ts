import { formatIp, type Ip, parseIp } from '../../packet/address.js';
import type { TargetExtension } from '../extension.js';
import { applyMarkChange } from './MARK.js';
import { hex, targetOptions } from './target-options.js';

export interface TproxyOptions {
	/** 0: the packet's own destination port. */
	readonly port: number;
	/** Undefined (or 0.0.0.0 / :: as iptables-save writes it): the arrival interface's first address. */
	readonly ip?: Ip;
	readonly markValue: number;
	readonly markMask: number;
}

/**
 * TPROXY hands the packet to a local transparent socket without rewriting its header (mangle PREROUTING,
 * TCP and UDP only). As xt_TPROXY does: first a socket already established for this very flow, else a
 * listener on --on-ip:--on-port; when one is found (and has IP_TRANSPARENT) the packet gets
 * mark = (mark & ~mask) ^ value and the chain ends in ACCEPT; with no such socket the kernel DROPS it.
 * Sockets are not in netsleuth's host state: that one listens is an assumption, stated. (Checked on Linux
 * 6.18: with no socket the packet never reached INPUT; with an IP_TRANSPARENT one it arrived marked.)
 */
export const TPROXY: TargetExtension<TproxyOptions> = {
	name: 'TPROXY',
	reads: {},
	tables: ['mangle'],
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'TPROXY', ['--on-port', '--on-ip', '--tproxy-mark']);
		const portUse = options.get('--on-port') ?? ctx.fail(ctx.anchor, 'TPROXY needs --on-port (0: keep the destination port)');
		const portToken = ctx.arg(portUse, 'a port');
		let port = ctx.integer(portToken, 'port', 0, 0xffffffff);
		if (port > 65535) {
			ctx.warn(portToken, `port ${port} is above 65535: iptables keeps its low 16 bits (${port & 0xffff})`);
			port &= 0xffff;
		}
		let ip: Ip | undefined;
		const ipUse = options.get('--on-ip');
		if (ipUse) {
			const token = ctx.arg(ipUse, 'an address');
			const parsed = parseIp(token.text);
			if (!parsed || parsed.family !== ctx.family) return ctx.fail(token, `expected an IPv${ctx.family} address, got "${token.text}"`);
			if (parsed.words.some((w) => w !== 0)) ip = parsed;
		}
		let markValue = 0;
		let markMask = 0;
		const markUse = options.get('--tproxy-mark');
		if (markUse) ({ value: markValue, mask: markMask } = ctx.valueMask(ctx.arg(markUse, 'value[/mask]'), 'mark'));
		return { port, ...(ip ? { ip } : {}), markValue, markMask };
	},
	apply(o, packet, env) {
		if (packet.proto !== 6 && packet.proto !== 17) {
			env.assume('TPROXY applies to TCP and UDP only (iptables refuses the rule without -p tcp or -p udp); the packet is left alone');
			return { kind: 'continue' };
		}
		const inAddress = packet.in ? env.host.addresses.find((a) => a.dev === packet.in && a.ip.family === packet.family)?.ip : undefined;
		const address = o.ip ?? inAddress ?? packet.dst;
		const port = o.port === 0 ? packet.dport : o.port;
		const where = `${packet.family === 6 ? `[${formatIp(address)}]` : formatIp(address)}:${port ?? '?'}`;
		env.assume(
			`TPROXY: a transparent socket (IP_TRANSPARENT) is assumed on ${where} (or already established for this flow): the packet is assigned to it and accepted; ` +
				'with no such socket the kernel drops it. The header is not rewritten: the mark must route it to this host (ip rule fwmark … lookup a local table), else it is forwarded',
		);
		const next = applyMarkChange(packet.mark, { clear: o.markMask, toggle: o.markValue });
		if (next !== packet.mark) env.rewrite(`mark ${hex(packet.mark)} → ${hex(next)} (TPROXY)`, (p) => { p.mark = next; });
		return { kind: 'accept' };
	},
};
