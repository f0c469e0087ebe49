import { ICMP6_NAMES, icmpExtension } from './icmp-types.js';

export const icmp6 = icmpExtension('icmp6', '--icmpv6-type', 58, ICMP6_NAMES, 'ICMPv6');
