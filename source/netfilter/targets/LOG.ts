import type { TargetExtension } from '../extension.js';

const LEVELS = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug', 'panic', 'err', 'warn'];

/** LOG writes to the kernel log and lets the packet go on to the next rule. */
export const LOG: TargetExtension<{ prefix: string }> = {
	name: 'LOG',
	reads: {},
	parse(uses, ctx) {
		let prefix = '';
		for (const use of uses) {
			switch (use.name) {
				case '--log-prefix':
					prefix = ctx.arg(use, 'a prefix').text;
					if (prefix.length > 29) ctx.fail(use.args[0]!, 'a log prefix is at most 29 characters');
					break;
				case '--log-level': {
					const token = ctx.arg(use, 'a level');
					if (!/^[0-7]$/.test(token.text) && !LEVELS.includes(token.text)) ctx.fail(token, `unknown log level "${token.text}"`);
					break;
				}
				case '--log-tcp-sequence': case '--log-tcp-options': case '--log-ip-options': case '--log-uid': case '--log-macdecode':
					ctx.noArgs(use);
					break;
				default:
					ctx.unknown('LOG', use);
			}
		}
		return { prefix };
	},
	apply: () => ({ kind: 'continue' }),
};
