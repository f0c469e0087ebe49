import type { MatchExtension } from '../extension.js';
import { TCP_FLAGS } from '../../packet/packet.js';
import { checkPorts, parsePortRange, type PortRange } from './ports.js';
import { readsThrough } from './extension-kit.js';

export interface TcpOptions {
	sport?: PortRange;
	dport?: PortRange;
	flags?: { mask: number; compare: number; negated: boolean };
	option?: { kind: number; negated: boolean };
}

function parseFlags(text: string, fail: (reason: string) => never): number {
	if (text === 'ALL') return 0x3f; // iptables' ALL: FIN,SYN,RST,PSH,ACK,URG
	if (text === 'NONE') return 0;
	let bits = 0;
	for (const name of text.split(',')) {
		const bit = TCP_FLAGS[name.toUpperCase()];
		if (bit === undefined) fail(`unknown TCP flag "${name}": expected FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, ALL or NONE`);
		bits |= bit;
	}
	return bits;
}

function flagNames(bits: number): string {
	const names = Object.entries(TCP_FLAGS).filter(([, b]) => bits & b).map(([n]) => n);
	return names.length ? names.join(',') : 'none';
}

export const tcp: MatchExtension<TcpOptions> = {
	name: 'tcp',
	reads: readsThrough({ sport: ['--sport', '--source-port'], tcp: ['--tcp-flags', '--syn', '--tcp-option'] }),
	parse(uses, ctx) {
		ctx.requireProtocol(['tcp'], 'the tcp match needs -p tcp (the kernel refuses it for other protocols)');
		const o: TcpOptions = {};
		for (const use of uses) {
			switch (use.name) {
				case '--sport': case '--source-port':
					o.sport = parsePortRange(use, ctx);
					break;
				case '--dport': case '--destination-port':
					o.dport = parsePortRange(use, ctx);
					break;
				case '--tcp-flags': {
					if (use.args.length !== 2) ctx.fail(use.token, '--tcp-flags expects a mask and the flags that must be set, e.g. SYN,RST,ACK SYN');
					const fail = (reason: string): never => ctx.fail(use.args[0]!, reason);
					o.flags = { mask: parseFlags(use.args[0]!.text, fail), compare: parseFlags(use.args[1]!.text, fail), negated: use.negated };
					break;
				}
				case '--syn':
					ctx.noArgs(use);
					o.flags = { mask: TCP_FLAGS.SYN! | TCP_FLAGS.RST! | TCP_FLAGS.ACK! | TCP_FLAGS.FIN!, compare: TCP_FLAGS.SYN!, negated: use.negated };
					break;
				case '--tcp-option':
					o.option = { kind: ctx.integer(ctx.arg(use, 'an option number'), 'TCP option number', 0, 255), negated: use.negated };
					break;
				default:
					ctx.unknown('tcp', use);
			}
		}
		return o;
	},
	evaluate(o, packet, env) {
		if (packet.proto !== 6) return 'not a TCP packet';
		if (packet.fragment) return 'a non-first fragment carries no TCP header';
		const portsWhy = checkPorts(o, packet);
		if (portsWhy) return portsWhy;
		if (o.flags) {
			const flags = packet.tcpFlags ?? 0;
			const equal = (flags & o.flags.mask) === o.flags.compare;
			if (equal === o.flags.negated) {
				return `TCP flags ${flagNames(flags)} ${o.flags.negated ? 'match' : 'do not match'} ${flagNames(o.flags.compare)} within ${flagNames(o.flags.mask)}${o.flags.negated ? ' (negated)' : ''}`;
			}
		}
		if (o.option) {
			if (!packet.tcpOptions) {
				env.assume(`TCP options of the packet are unknown: --tcp-option ${o.option.kind} assumed ${o.option.negated ? 'absent' : 'present'}`);
				return null;
			}
			const present = packet.tcpOptions.includes(o.option.kind);
			if (present === o.option.negated) return `TCP option ${o.option.kind} is ${present ? 'present' : 'absent'}`;
		}
		return null;
	},
};
