import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { enter, type Decoder } from './tables.js';

/**
 * IP in IP: IP protocol 4 (IPv4 inside, Calico's IPIP mode) and 41 (IPv6 inside: 6in4, SIT). There is no
 * header of its own: the inner IP header follows the outer one directly.
 */
export const decodeIpInIp: Decoder = (d, b, off, end) => {
	if (enter(d)) decodeIpv4(d, b, off, end);
};

export const decodeIpv6InIp: Decoder = (d, b, off, end) => {
	if (enter(d)) decodeIpv6(d, b, off, end);
};
