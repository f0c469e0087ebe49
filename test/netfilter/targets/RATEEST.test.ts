import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

const options = (text: string) => parseRule('mangle', `-A PREROUTING -j RATEEST ${text}`).rule.target!.options;

describe('RATEEST', () => {
	it('continues', () => {
		assert.deepEqual(applyRule('mangle', '-A PREROUTING -j RATEEST --rateest-name eth0 --rateest-interval 1.0s --rateest-ewmalog 2.0s').outcome, { kind: 'continue' });
	});

	it('rounds interval and averaging constant as libxt_RATEEST does', () => {
		// iptables 1.8.9 saved "1s 2s" as "1.0s 2.0s" and "100us 1s" as "250.0ms 2048.0s".
		assert.deepEqual(options('--rateest-name x --rateest-interval 1s --rateest-ewmalog 2s'), { name: 'x', interval: 0, ewmaLog: 1 });
		assert.deepEqual(options('--rateest-name x --rateest-interval 100us --rateest-ewmalog 1s'), { name: 'x', interval: -2, ewmaLog: 13 });
		assert.deepEqual(options('--rateest-name x --rateest-interval 250ms --rateest-ewmalog 4s'), { name: 'x', interval: -2, ewmaLog: 4 });
	});

	it('refuses bad times, out-of-range values and missing options', () => {
		assertParseError('mangle', '-A PREROUTING -j RATEEST --rateest-name x --rateest-interval 1x --rateest-ewmalog 1s', '1x', /bad time "1x"/);
		assertParseError('mangle', '-A PREROUTING -j RATEEST --rateest-name x --rateest-interval 3s --rateest-ewmalog 1s', '1s', /ewmalog value is out of range/);
		assertParseError('mangle', '-A PREROUTING -j RATEEST --rateest-name x --rateest-interval 9s --rateest-ewmalog 100s', '9s', /too large/);
		assertParseError('mangle', '-A PREROUTING -j RATEEST --rateest-name x', 'RATEEST', /needs --rateest-interval/);
	});
});
