import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { note, truncated, type Decoder } from './tables.js';

/** Raw IP (LINKTYPE_RAW, and DLT 12/14 where they mean raw): the version nibble says IPv4 or IPv6. */
export const decodeRaw: Decoder = (d, b, off, end) => {
	if (end - off < 1) return truncated(d, 'ip', off, 1, end);
	const version = b[off]! >> 4;
	if (version === 4) decodeIpv4(d, b, off, end);
	else if (version === 6) decodeIpv6(d, b, off, end);
	else note(d, `raw IP: version ${version} is neither 4 nor 6`);
};

/**
 * LINKTYPE_IPV4 and LINKTYPE_IPV6: the link type says which. A packet of the other version is decoded
 * as what it is (as Wireshark does), with a note.
 */
export const decodeRawIpv4: Decoder = (d, b, off, end) => {
	if (end - off >= 1 && b[off]! >> 4 === 6) note(d, 'the link type says IPv4, the packet is IPv6');
	decodeRaw(d, b, off, end);
};

export const decodeRawIpv6: Decoder = (d, b, off, end) => {
	if (end - off >= 1 && b[off]! >> 4 === 4) note(d, 'the link type says IPv6, the packet is IPv4');
	decodeRaw(d, b, off, end);
};
