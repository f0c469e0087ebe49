import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('recent', () => {
	it('--set matches and records nothing', () => {
		const { verdict, env } = evaluate('-A INPUT -p tcp -m recent --set --name sshd --rsource -m tcp --dport 22', 'recent');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /recent list sshd: --set adds source 10\.0\.0\.1 \(netsleuth does not record it/);
	});

	it('--update and --rcheck assume the address was not seen', () => {
		const { verdict, env } = evaluate('-A INPUT -p tcp -m recent --update --seconds 60 --hitcount 3 --name sshd --rsource -j DROP', 'recent');
		assertNoMatch(verdict, /^source 10\.0\.0\.1 is assumed not in recent list sshd \(in the last 60s, 3 times\)$/);
		assert.match(env.assumptions[0]!, /keeps no history/);
		assertNoMatch(evaluate('-A INPUT -m recent --rcheck --rdest --name KUBE-SEP --seconds 10800 --reap -j ACCEPT', 'recent').verdict, /destination 10\.0\.0\.2 is assumed not in recent list KUBE-SEP/);
	});

	it('negation flips the assumed result', () => {
		assert.equal(evaluate('-A INPUT -m recent ! --rcheck --name x -j ACCEPT', 'recent').verdict, null);
		assertNoMatch(evaluate('-A INPUT -m recent ! --set --name x -j ACCEPT', 'recent').verdict, /! --set never matches/);
	});

	it('checks the combinations iptables and the kernel refuse', () => {
		assertParseError('-A INPUT -m recent --name x -j DROP', 'recent', /needs one of --set, --rcheck, --update or --remove/);
		assertParseError('-A INPUT -m recent --set --update -j DROP', '--update', /one of --set, --rcheck, --update and --remove/);
		assertParseError('-A INPUT -m recent --rcheck --reap -j DROP', 'recent', /--reap needs --seconds/);
		assertParseError('-A INPUT -m recent --set --seconds 5 -j DROP', 'recent', /go with --rcheck or --update, not --set/);
		assertParseError('-A INPUT -m recent --set --rsource --rdest -j DROP', '--rdest', /not both/);
		assertParseError('-A INPUT -m recent --set --mask 255.0.0 -j DROP', '255.0.0', /IPv4 netmask/);
	});

	it('warns about a hit count above the kernel default', () => {
		const { warnings } = evaluate('-A INPUT -m recent --update --seconds 60 --hitcount 41 --name ratessh --rsource -j DROP', 'recent');
		assert.match(warnings[0]!.text, /--hitcount 41 exceeds the kernel's default ip_pkt_list_tot \(20\)/);
	});
});
