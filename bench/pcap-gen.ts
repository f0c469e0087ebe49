/**
 * Writes a classic pcap (Ethernet, microseconds) of mixed traffic for the capture benchmark: IPv4 TCP
 * (handshakes, data, FIN/RST), UDP (DNS queries and answers, other), ICMP echo, IPv6 TCP and UDP, and
 * 802.1Q-tagged frames. Deterministic (seeded); checksums other than IPv4's are left zero.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { pcapHeader } from './capture-gen.js';
import { prng } from './kube-gen.js';

const CHUNK = 4 << 20;

/** Writes the checksum of the 20-byte IPv4 header at `at`. */
export function ipv4Checksum(buf: Buffer, at: number): void {
	let sum = 0;
	for (let i = 0; i < 20; i += 2) sum += buf.readUInt16BE(at + i);
	while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
	buf.writeUInt16BE(~sum & 0xffff, at + 10);
}

export function writeMixedCapture(file: string, packets: number, seed = 1): void {
	const random = prng(seed);
	const fd = openSync(file, 'w');
	let buf = Buffer.alloc(CHUNK);
	let at = 0;
	const flush = () => {
		writeSync(fd, buf, 0, at);
		at = 0;
	};
	writeSync(fd, pcapHeader());
	const name = Buffer.from('\x03www\x07example\x03com\x00', 'latin1');
	let seconds = 1_764_000_000;
	let micros = 0;
	for (let n = 0; n < packets; n++) {
		if (at + 2048 > CHUNK) flush();
		micros += 1 + Math.floor(random() * 200);
		if (micros >= 1_000_000) {
			seconds++;
			micros -= 1_000_000;
		}
		const record = at;
		at += 16;
		const frame = at;
		// Ethernet: destination, source.
		buf.writeUInt32BE(0x02000000 | (n & 0xffff), at); buf.writeUInt16BE(0x0001, at + 4);
		buf.writeUInt32BE(0x02000100, at + 6); buf.writeUInt16BE(0x0002, at + 10);
		at += 12;
		const kind = random();
		const vlan = kind > 0.95;
		if (vlan) {
			buf.writeUInt16BE(0x8100, at); buf.writeUInt16BE(100 + (n % 7), at + 2);
			at += 4;
		}
		const v6 = kind > 0.85 && kind <= 0.95;
		buf.writeUInt16BE(v6 ? 0x86dd : 0x0800, at);
		at += 2;
		const proto = kind < 0.6 || (v6 && kind < 0.9) || vlan ? 6 : kind < 0.8 || v6 ? 17 : 1;
		const client = n % 5000;
		const sport = 32768 + ((n * 7) % 28000);
		const payloadLength = Math.floor(random() * random() * 600);
		// L4 first, into its place after the IP header, so the IP lengths can be written.
		const ipStart = at;
		const l4 = ipStart + (v6 ? 40 : 20);
		let l4len: number;
		if (proto === 6) {
			const flagsPick = random();
			const flags = flagsPick < 0.1 ? 0x02 : flagsPick < 0.2 ? 0x12 : flagsPick < 0.25 ? 0x11 : flagsPick < 0.27 ? 0x04 : 0x18;
			buf.writeUInt16BE(sport, l4); buf.writeUInt16BE([80, 443, 22, 8080, 6443][n % 5]!, l4 + 2);
			buf.writeUInt32BE((n * 2654435761) >>> 0, l4 + 4); buf.writeUInt32BE(flags & 0x10 ? (n * 40503) >>> 0 : 0, l4 + 8);
			buf.writeUInt16BE((5 << 12) | flags, l4 + 12); buf.writeUInt16BE(64240, l4 + 14); buf.writeUInt32BE(0, l4 + 16);
			const data = flags === 0x18 ? payloadLength : 0;
			buf.fill(0x61, l4 + 20, l4 + 20 + data);
			l4len = 20 + data;
		} else if (proto === 17) {
			const dns = random() < 0.5;
			const answer = dns && random() < 0.5;
			buf.writeUInt16BE(answer ? 53 : sport, l4); buf.writeUInt16BE(answer ? sport : dns ? 53 : 5000 + (n % 100), l4 + 2);
			let data: number;
			if (dns) {
				const d = l4 + 8;
				buf.writeUInt16BE(n & 0xffff, d); buf.writeUInt16BE(answer ? 0x8180 : 0x0100, d + 2);
				buf.writeUInt16BE(1, d + 4); buf.writeUInt16BE(answer ? 1 : 0, d + 6); buf.writeUInt32BE(0, d + 8);
				name.copy(buf, d + 12);
				let q = d + 12 + name.length;
				buf.writeUInt16BE(1, q); buf.writeUInt16BE(1, q + 2);
				q += 4;
				if (answer) {
					buf.writeUInt16BE(0xc00c, q); buf.writeUInt16BE(1, q + 2); buf.writeUInt16BE(1, q + 4);
					buf.writeUInt32BE(300, q + 6); buf.writeUInt16BE(4, q + 10); buf.writeUInt32BE(0x5db8d822, q + 12);
					q += 16;
				}
				data = q - d;
			} else {
				data = payloadLength;
				buf.fill(0x62, l4 + 8, l4 + 8 + data);
			}
			buf.writeUInt16BE(8 + data, l4 + 4); buf.writeUInt16BE(0, l4 + 6);
			l4len = 8 + data;
		} else {
			buf.writeUInt8(n % 2 ? 0 : 8, l4); buf.writeUInt8(0, l4 + 1); buf.writeUInt16BE(0, l4 + 2);
			buf.writeUInt16BE(client, l4 + 4); buf.writeUInt16BE(n & 0xffff, l4 + 6);
			buf.fill(0x63, l4 + 8, l4 + 8 + 56);
			l4len = 64;
		}
		if (v6) {
			buf.writeUInt32BE(0x60000000, ipStart); buf.writeUInt16BE(l4len, ipStart + 4);
			buf.writeUInt8(proto, ipStart + 6); buf.writeUInt8(64, ipStart + 7);
			buf.writeUInt32BE(0xfd000001, ipStart + 8); buf.writeUInt32BE(0, ipStart + 12); buf.writeUInt32BE(0, ipStart + 16); buf.writeUInt32BE(client + 1, ipStart + 20);
			buf.writeUInt32BE(0xfd000002, ipStart + 24); buf.writeUInt32BE(0, ipStart + 28); buf.writeUInt32BE(0, ipStart + 32); buf.writeUInt32BE((n % 300) + 1, ipStart + 36);
		} else {
			buf.writeUInt16BE(0x4500, ipStart); buf.writeUInt16BE(20 + l4len, ipStart + 2);
			buf.writeUInt16BE(n & 0xffff, ipStart + 4); buf.writeUInt16BE(0x4000, ipStart + 6);
			buf.writeUInt8(64, ipStart + 8); buf.writeUInt8(proto, ipStart + 9); buf.writeUInt16BE(0, ipStart + 10);
			buf.writeUInt32BE(0x0a000000 | (client + 1), ipStart + 12); buf.writeUInt32BE(0x0a600000 | ((n % 10000) + 1), ipStart + 16);
			ipv4Checksum(buf, ipStart);
		}
		at = l4 + l4len;
		const length = at - frame;
		buf.writeUInt32LE(seconds, record); buf.writeUInt32LE(micros, record + 4);
		buf.writeUInt32LE(length, record + 8); buf.writeUInt32LE(length, record + 12);
	}
	flush();
	closeSync(fd);
	buf = Buffer.alloc(0);
}
