import type { MatchExtension } from '../extension.js';

/** An anonymised address (XX:XX:…) in a published dump: kept, and it matches no frame. */
const UNKNOWN_MAC = 'unknown';

export const mac: MatchExtension<{ address: string; negated: boolean }> = {
	name: 'mac',
	reads: {},
	options: ['--mac-source'],
	parse(uses, ctx) {
		let options: { address: string; negated: boolean } | undefined;
		for (const use of uses) {
			if (use.name !== '--mac-source') ctx.unknown('mac', use);
			const token = ctx.arg(use, 'a MAC address');
			let address = token.text.toLowerCase();
			if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(address)) {
				if (!/^[0-9a-z]{2}(:[0-9a-z]{2}){5}$/.test(address)) ctx.fail(token, `invalid MAC address "${token.text}" (expected six hex pairs like 02:00:0d:4c:00:03)`);
				ctx.warn(token, `"${token.text}" is not a MAC address (anonymised?): iptables-restore refuses it; read as a MAC no frame has`);
				address = UNKNOWN_MAC;
			}
			options = { address, negated: use.negated };
		}
		return ctx.require(options, 'mac match needs --mac-source');
	},
	evaluate(o, packet, env) {
		if (env.hook !== 'PREROUTING' && env.hook !== 'INPUT' && env.hook !== 'FORWARD') return `the source MAC is not available in ${env.hook}`;
		if (!packet.srcMac) {
			if (packet.local) return 'a locally generated packet has no source MAC';
			env.assume(`source MAC unknown (give --src-mac): assumed not ${o.address}`);
			return o.negated ? null : 'source MAC unknown';
		}
		if ((packet.srcMac.toLowerCase() === o.address) !== o.negated) return null;
		return `source MAC ${packet.srcMac} ${o.negated ? 'is' : 'is not'} ${o.address}`;
	},
};
