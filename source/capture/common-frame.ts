import { mac } from './decode/format.js';
import { NONE, u16, u32 } from './decode/tables.js';
import type { Frame } from './frame.js';

/**
 * What a replay reads of the frames most captures are made of — Ethernet, IPv4 that is not a fragment,
 * TCP or UDP with the whole header captured — read straight from the bytes into this one object, without
 * the decoder's layers (decoding was a tenth of the replay thread's time, and half its garbage). `read`
 * says false for any other frame, which is decoded as always. The fields are what the decoder would
 * give (test/capture/common-frame.test.ts compares both on every capture at hand).
 */
export class CommonFrame {
	srcMac = '';
	dstMac = '';
	/** Where the IPv4 header starts in the frame's buffer. */
	ipAt = 0;
	totalLength = 0;
	id = 0;
	proto = 0;
	sport = 0;
	dport = 0;
	/** Where the transport header's payload starts in the frame's buffer. */
	payloadAt = 0;
	/** TCP: the flags' low byte (the engine's), options by kind (EOL and NOP left out), sequence and acknowledgement. */
	tcpFlags = 0;
	tcpOptions: number[] = NONE;
	seq = 0;
	ack = 0;

	/** Reads the frame when it is one of the common kind; false (and nothing to read) otherwise. */
	read(frame: Frame): boolean {
		if (frame.linkType !== 1) return false;
		const b = frame.buf;
		const link = frame.start;
		const captured = link + frame.caplen;
		if (captured - link < 34 || u16(b, link + 12) !== 0x0800) return false;
		const ip = link + 14;
		const ihl = (b[ip]! & 0x0f) * 4;
		const totalLength = u16(b, ip + 2);
		// Not version 4, a short or partly captured header, a length the decoder would question (0: a TSO
		// super-packet), a fragment: the decoder's case.
		if (b[ip]! >> 4 !== 4 || ihl < 20 || captured - ip < ihl || totalLength < ihl || (u16(b, ip + 6) & 0x3fff) !== 0) return false;
		const proto = b[ip + 9]!;
		if (proto !== 6 && proto !== 17) return false;
		const end = Math.min(captured, ip + totalLength);
		const t = ip + ihl;
		if (proto === 6) {
			if (end - t < 20) return false;
			const hlen = (b[t + 12]! >> 4) * 4;
			if (hlen < 20 || end - t < hlen) return false;
			this.tcpFlags = b[t + 13]!;
			this.tcpOptions = hlen === 20 ? NONE : optionKinds(b, t + 20, t + hlen);
			this.seq = u32(b, t + 4);
			this.ack = u32(b, t + 8);
			this.payloadAt = t + hlen;
		} else {
			if (end - t < 8) return false;
			this.payloadAt = t + 8;
		}
		this.dstMac = mac(b, link);
		this.srcMac = mac(b, link + 6);
		this.ipAt = ip;
		this.totalLength = totalLength;
		this.id = u16(b, ip + 4);
		this.proto = proto;
		this.sport = u16(b, t);
		this.dport = u16(b, t + 2);
		return true;
	}
}

/** TCP option kinds as the decoder lists them (to the end-of-list, or an option whose length is wrong, which is listed), without EOL and NOP. */
function optionKinds(b: Uint8Array, o: number, end: number): number[] {
	const kinds: number[] = [];
	while (o < end) {
		const kind = b[o]!;
		if (kind === 0) break;
		if (kind === 1) {
			o++;
			continue;
		}
		kinds.push(kind);
		const len = o + 1 < end ? b[o + 1]! : 0;
		if (len < 2 || o + len > end) break;
		o += len;
	}
	return kinds;
}
