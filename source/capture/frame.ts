/**
 * One captured record, as every reader yields it (netsleuth's own pcap/pcapng reader and the
 * pcap-parser adapter alike). The bytes are `buf[start .. start + caplen)`; `buf` is never written
 * after the frame is yielded, so a frame stays valid as long as it is referenced.
 */
export interface Frame {
	/** 1-based number of the packet in the file. */
	n: number;
	/** Byte offset of the record (pcap record header, pcapng block) in the file. */
	offset: number;
	/** Whether the record carries a timestamp (a pcapng simple packet block does not). */
	hasTs: boolean;
	/** Seconds since the epoch, as recorded (pcapng: after if_tsoffset). */
	sec: number;
	/** Nanoseconds as recorded; ≥ 1e9 only when the file's fraction field is out of range. */
	nsec: number;
	/** Digits of the file's timestamp resolution: 6 (µs), 9 (ns) or what the interface says. */
	digits: number;
	/** LINKTYPE_* of the record's interface. */
	linkType: number;
	/** pcapng interface id (0 in classic pcap). */
	iface: number;
	/** pcapng if_name of the record's interface, when the file names it. */
	ifName: string | undefined;
	caplen: number;
	len: number;
	buf: Uint8Array;
	start: number;
}

/** The bytes of a frame (a view, not a copy). */
export function frameBytes(frame: Frame): Uint8Array {
	return frame.buf.subarray(frame.start, frame.start + frame.caplen);
}

/**
 * Bad input to the capture command (a damaged file, a bad filter, a file that cannot be opened): the
 * CLI turns it into its InputError (exit code 1). Not InputError itself, so that the capture path does
 * not load the host model's modules (rule and route parsers) at start-up.
 */
export class CaptureInputError extends Error {}

/** A file that cannot be read past some byte: the message names the byte offset. Exit code 1. */
export class CaptureError extends CaptureInputError {
	constructor(
		readonly reason: string,
		readonly offset: number,
		readonly packetsBefore: number,
	) {
		super(`byte offset ${offset}: ${reason}`);
	}
}

/** LINKTYPE_* values netsleuth decodes (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
	NULL: 0,
	ETHERNET: 1,
	RAW_OPENBSD: 12,
	RAW_BSDOS: 14,
	RAW: 101,
	LOOP: 108,
	LINUX_SLL: 113,
	IPV4: 228,
	IPV6: 229,
	LINUX_SLL2: 276,
} as const;

const LINKTYPE_NAMES: Record<number, string> = {
	0: 'null', 1: 'ethernet', 9: 'ppp', 12: 'raw', 14: 'raw', 50: 'ppp-hdlc', 101: 'raw', 105: 'ieee802.11',
	108: 'loop', 113: 'linux-sll', 127: 'radiotap', 228: 'ipv4', 229: 'ipv6', 239: 'nflog', 276: 'linux-sll2',
};

export function linkTypeName(linkType: number): string {
	return LINKTYPE_NAMES[linkType] ?? `linktype ${linkType}`;
}
