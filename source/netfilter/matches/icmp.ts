import { ICMP_NAMES, icmpExtension } from './icmp-types.js';

export const icmp = icmpExtension('icmp', '--icmp-type', 1, ICMP_NAMES, 'ICMP');
