import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertParseError, evaluate } from './harness.js';

describe('time', () => {
	it('assumes the trace happens at an allowed time, and says so', () => {
		const { verdict, env } = evaluate('-A FORWARD -m time --timestart 06:59 --timestop 23:59 --weekdays Mon,Tue --kerneltz -j DROP', 'time');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /-m time --timestart 06:59 --timestop 23:59 --weekdays Mon,Tue: the trace is taken to happen at a time these conditions allow/);
	});

	it('keeps negated conditions in the statement', () => {
		const { verdict, env } = evaluate('-A INPUT -m time ! --monthdays 1,15 --datestart 2024-01-01T00:00 --utc -j ACCEPT', 'time');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /! --monthdays 1,15 --datestart 2024-01-01T00:00/);
	});

	it('reads the old --days and the old date format with a warning', () => {
		const { warnings } = evaluate('-A FORWARD -p tcp -m time --timestart 06:59 --timestop 23:59 --days Sun,Mon,Tue,Wed,Thu,Fri,Sat -j DROP', 'time');
		assert.match(warnings[0]!.text, /old option --days/);
		assert.match(evaluate('-A FORWARD -m time --datestart 2004:01:01:00:00 -j DROP', 'time').warnings[0]!.text, /old date format/);
	});

	it('rejects bad times, dates and days', () => {
		assertParseError('-A INPUT -m time --timestart 25:00 -j ACCEPT', '25:00', /expected a time hh:mm/);
		assertParseError('-A INPUT -m time --datestart 2024/01/01 -j ACCEPT', '2024/01/01', /expected a date/);
		assertParseError('-A INPUT -m time --weekdays Mon,Funday -j ACCEPT', 'Mon,Funday', /unknown weekday "Funday"/);
		assertParseError('-A INPUT -m time --monthdays 32 -j ACCEPT', '32', /days of the month 1–31/);
	});
});
