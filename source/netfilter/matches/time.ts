import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface TimeOptions {
	/** The conditions as written, for the assumption's text. */
	readonly conditions: readonly string[];
}

function checkTime(use: OptionUse, ctx: ParseContext): void {
	const token = use.args[0]!;
	const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(token.text);
	if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) ctx.fail(token, `expected a time hh:mm[:ss], got "${token.text}"`);
}

function checkDate(use: OptionUse, ctx: ParseContext): void {
	const token = use.args[0]!;
	if (/^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$/.test(token.text)) return;
	// ipt_time of patch-o-matic wrote dates as YYYY:MM:DD:hh:mm:ss.
	if (/^\d{4}(:\d{2}){0,5}$/.test(token.text)) {
		ctx.warn(token, `old date format "${token.text}": write YYYY-MM-DDThh:mm:ss`);
		return;
	}
	ctx.fail(token, `expected a date YYYY[-MM[-DD[Thh[:mm[:ss]]]]], got "${token.text}"`);
}

function checkWeekdays(use: OptionUse, ctx: ParseContext): void {
	const token = use.args[0]!;
	for (const day of token.text.split(',')) {
		if (!/^[1-7]$/.test(day) && !DAYS.some((d) => d.toLowerCase() === day.toLowerCase().slice(0, 3) && d.length <= day.length)) {
			ctx.fail(token, `unknown weekday "${day}": expected Mon, Tue, Wed, Thu, Fri, Sat, Sun or 1–7`);
		}
	}
}

function checkMonthdays(use: OptionUse, ctx: ParseContext): void {
	const token = use.args[0]!;
	for (const day of token.text.split(',')) {
		if (!/^\d+$/.test(day) || Number(day) < 1 || Number(day) > 31) ctx.fail(token, `expected days of the month 1–31, got "${day}"`);
	}
}

/**
 * -m time: the time of day, weekday and date the packet arrives (xt_time). A trace has no clock of its
 * own: the conditions are assumed to hold at the time of the trace, and the trace says so.
 */
export const time: MatchExtension<TimeOptions> = {
	name: 'time',
	reads: { state: true },
	parse(uses, ctx) {
		const conditions: string[] = [];
		for (const use of readOptions('time', uses, ctx, {
			'--datestart': { args: 1 },
			'--datestop': { args: 1 },
			'--timestart': { args: 1 },
			'--timestop': { args: 1 },
			'--monthdays': { args: 1, negatable: true },
			'--weekdays': { args: 1, negatable: true },
			'--days': { args: 1, negatable: true },
			'--contiguous': { args: 0 },
			'--kerneltz': { args: 0 },
			'--localtz': { args: 0 },
			'--utc': { args: 0 },
		})) {
			switch (use.name) {
				case '--datestart': case '--datestop': checkDate(use, ctx); break;
				case '--timestart': case '--timestop': checkTime(use, ctx); break;
				case '--monthdays': checkMonthdays(use, ctx); break;
				case '--days':
					ctx.warn(use.token, 'old option --days (ipt_time): iptables-restore refuses it; read as --weekdays');
					checkWeekdays(use, ctx);
					break;
				case '--weekdays': checkWeekdays(use, ctx); break;
				case '--localtz': ctx.warn(use.token, '--localtz is deprecated: it means --kerneltz'); break;
			}
			if (use.name !== '--kerneltz' && use.name !== '--localtz' && use.name !== '--utc') {
				conditions.push(`${use.negated ? '! ' : ''}${use.name}${use.args.length ? ` ${use.args[0]!.text}` : ''}`);
			}
		}
		return { conditions };
	},
	evaluate(o, _packet, env) {
		return assumeThat(env, `-m time ${o.conditions.join(' ')}: the trace is taken to happen at a time these conditions allow`, true, '');
	},
};
