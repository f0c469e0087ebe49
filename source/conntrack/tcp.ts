import { TCP_FLAGS } from '../packet/packet.js';

/**
 * The TCP state machine of nf_conntrack_proto_tcp.c (tcp_conntracks), without the sequence window
 * checks (tcp_in_window): a replay says so in its assumptions.
 */
export type TcpState = 'NONE' | 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE_WAIT' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSE' | 'SYN_SENT2';
/** IV: the packet is invalid; IG: ignored (the connection keeps its state, the packet its connection). */
export type TcpNext = TcpState | 'IV' | 'IG';

const { FIN, SYN, RST, PSH, ACK, URG, ECE, CWR } = TCP_FLAGS;

/** tcp_valid_flags: the combinations conntrack accepts once PSH, ECE and CWR are set aside. */
const VALID_FLAGS = new Set([SYN, SYN | URG, SYN | ACK, RST, RST | ACK, FIN | ACK, FIN | ACK | URG, ACK, ACK | URG]);

export function validTcpFlags(flags: number): boolean {
	return VALID_FLAGS.has(flags & 0xff & ~(ECE | CWR | PSH));
}

/** get_conntrack_index: which row of the table a packet's flags select. */
export type TcpIndex = 'syn' | 'synack' | 'fin' | 'ack' | 'rst' | 'none';

export function tcpIndex(flags: number): TcpIndex {
	if (flags & RST) return 'rst';
	if (flags & SYN) return flags & ACK ? 'synack' : 'syn';
	if (flags & FIN) return 'fin';
	if (flags & ACK) return 'ack';
	return 'none';
}

const COLUMNS: readonly TcpState[] = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];
const sSS = 'SYN_SENT', sSR = 'SYN_RECV', sES = 'ESTABLISHED', sFW = 'FIN_WAIT', sCW = 'CLOSE_WAIT';
const sLA = 'LAST_ACK', sTW = 'TIME_WAIT', sCL = 'CLOSE', sS2 = 'SYN_SENT2', sIV = 'IV', sIG = 'IG';

/** tcp_conntracks[direction][index][old state], columns in COLUMNS' order. */
const TABLE: Readonly<Record<'original' | 'reply', Readonly<Record<TcpIndex, readonly TcpNext[]>>>> = {
	original: {
		syn: [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
		synack: [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
		fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
		ack: [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
		rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
		none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
	},
	reply: {
		syn: [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
		synack: [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
		fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
		ack: [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
		rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
		none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
	},
};

export function tcpNext(reply: boolean, index: TcpIndex, old: TcpState): TcpNext {
	return TABLE[reply ? 'reply' : 'original'][index][COLUMNS.indexOf(old)]!;
}

/** A TCP packet's row in the table and the state it leads to. */
export interface TcpStep {
	readonly index: TcpIndex;
	readonly next: TcpNext;
}

const INDEXES: readonly TcpIndex[] = ['syn', 'synack', 'fin', 'ack', 'rst', 'none'];
/** Every step made once: classifying a packet makes no object for it. */
const STEPS = Object.fromEntries(INDEXES.map((index) => [index, Object.fromEntries([...COLUMNS, sIV, sIG].map((next) => [next, { index, next }]))])) as Record<TcpIndex, Record<TcpNext, TcpStep>>;

export function tcpStep(index: TcpIndex, next: TcpNext): TcpStep {
	return STEPS[index][next];
}
