import type { MatchExtension } from '../extension.js';
import { parseOptionsHeader } from './hbh.js';
import { type HeaderOptions, noExtensionHeader } from './rt.js';

/** -m dst: the IPv6 destination options header (ip6t_hbh, registered as "dst"). */
export const dst: MatchExtension<HeaderOptions> = {
	name: 'dst',
	reads: {},
	parse: (uses, ctx) => parseOptionsHeader('dst', uses, ctx),
	evaluate: (_o, _packet, env) => noExtensionHeader('destination options', env),
};
