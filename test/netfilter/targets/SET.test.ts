import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, ip, makePacket, parseRule } from './env.js';

describe('SET', () => {
	it('parses add and delete with their flags', () => {
		const o = parseRule('filter', '-A INPUT -j SET --add-set s2 src,dst --exist --timeout 60').rule.target!.options;
		assert.deepEqual(o, { add: { name: 's2', flags: ['src', 'dst'] }, exist: true, timeout: 60, mapMark: false, mapPrio: false, mapQueue: false });
	});

	it('continues and states the runtime change, naming the element by the set type', () => {
		const packet = makePacket({ src: ip('198.51.100.7') });
		const { outcome, env } = applyRule('filter', '-A INPUT -p tcp -j SET --add-set scanners src,dst --timeout 600', packet, {
			hook: 'INPUT',
			ipsets: { scanners: { type: 'hash:ip,port', members: [] } },
		});
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(env.rewrites.length, 0);
		assert.equal(env.assumptions.length, 1);
		assert.match(env.assumptions[0]!, /^SET adds 198\.51\.100\.7,tcp:80 to set scanners with timeout 600s at run time/);
	});

	it('says when the set is not in the host state, and handles --del-set', () => {
		const { env } = applyRule('filter', '-A INPUT -j SET --del-set gone dst', makePacket(), { hook: 'INPUT' });
		assert.match(env.assumptions[0]!, /deletes 10\.0\.0\.2 from set gone \(set gone is not in the host state\)/);
	});

	it('--map-set is stated, mangle only', () => {
		const { env } = applyRule('mangle', '-A PREROUTING -j SET --map-set s3 src --map-mark', makePacket(), { ipsets: { s3: { type: 'hash:ip', members: ['10.0.0.1'] } } });
		assert.match(env.assumptions[0]!, /if 10\.0\.0\.1 is in the set, the packet takes mark from that entry's skbinfo/);
		assertParseError('filter', '-A INPUT -j SET --map-set s3 src --map-mark', '--map-set', /only valid in the mangle table/);
	});

	it('refuses what iptables refuses', () => {
		assertParseError('filter', '-A INPUT -j SET --add-set s1', '--add-set', /expects two values/);
		assertParseError('filter', '-A INPUT -j SET --add-set s1 foo', 'foo', /list of src and dst/);
		assertParseError('filter', '-A INPUT -j SET --add-set s1 src,src,src,src,src,src,src', 'src,src', /at most 6/);
		assertParseError('filter', '-A INPUT -j SET --del-set s1 src --exist', '--exist', /with --add-set only/);
		assertParseError('filter', '-A INPUT -j SET --timeout 5', 'SET', /needs --add-set, --del-set or --map-set/);
		assertParseError('filter', '-A INPUT -j SET --add-set s1 src --add-set s1 dst', '--add-set s1 dst', /only be used once/);
	});
});
