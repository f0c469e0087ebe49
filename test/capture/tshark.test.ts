import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { decodeFrame } from '../../source/capture/decode/index.js';
import { corpusCaptures, PCAP_DIR, pcapCorpusPresent, readAll } from './support/corpus.js';
import { compareFrame, ourFields, tsharkAvailable, tsharkFrames, type Difference } from './support/tshark.js';
import { generatedCaptures } from './support/generated.js';

const hasTshark = tsharkAvailable();

/**
 * Where netsleuth and tshark differ on purpose, and why. `prefix`: netsleuth may hold fewer values than
 * tshark (tshark decodes further, or shows what it read of a cut header), but those it holds must be
 * tshark's first ones ("*": every field; "layers": the layer list). `skip`: not compared at all.
 */
const EXPECTED: Record<string, { prefix?: string[]; skip?: string[]; why: string }> = {
	'tcpdump_various_gre.pcap': { prefix: ['*', 'layers'], why: 'Cisco MetaData (GRE protocol 0x8909) is not decoded, nor what it carries' },
	'tcpdump_nflog.pcap': { prefix: ['*', 'layers'], why: 'LINKTYPE_NFLOG is not decoded' },
	'tcpdump_mpls_over_udp.pcap': { prefix: ['*', 'layers'], why: 'MPLS is not decoded' },
	'tcpdump_icmp_rfc5837.pcap': { prefix: ['*', 'layers'], why: 'LINKTYPE_PPP is not decoded' },
	'tcpdump_dns_badlabel.pcap': { prefix: ['dns.qry.name', 'dns.qry.type'], why: 'a name longer than 255 bytes: tshark shows a placeholder, netsleuth a note and no name' },
	'tcpdump_ipv4_invalid_ihl.pcap': { prefix: ['layers', 'ip.version', 'ip.hdr_len'], why: 'IHL < 5: tshark shows the version and header length it read, netsleuth a note and no IPv4 layer' },
	'tcpdump_ipv4_invalid_length.pcap': { prefix: ['*', 'layers'], why: 'the IPv4 header is cut: tshark shows the fields before the cut, netsleuth says where it stops' },
	'tcpdump_tcp_header_bad.pcap': { prefix: ['*', 'layers'], why: 'the TCP header is cut: tshark shows the ports before the cut, netsleuth says where it stops' },
	'tcpdump_udp_length_bad.pcap': { prefix: ['*', 'layers'], why: 'the UDP header is cut: tshark shows the ports before the cut, netsleuth says where it stops' },
	'tcpdump_ipv6_bad_version.pcap': { prefix: ['ip.version'], why: 'version ≠ 6: tshark shows the version field, netsleuth a note and no IPv6 layer' },
	'tcpdump_ipv6_frag6_negative_len.pcap': { skip: ['ipv6.fraghdr'], why: 'tshark refuses a fragment whose length is negative; netsleuth decodes the fragment header as its bytes say' },
	'tcpdump_bigtcp_ipv6.pcap': { skip: ['tcp'], why: 'payload length 0 without a jumbo option (BIG TCP): netsleuth decodes the captured TCP header, tshark takes the payload as empty' },
	'tcpdump_icmpv6_length_zero.pcapng': { skip: ['icmpv6'], why: 'payload length 0: netsleuth decodes the captured ICMPv6 header (as for BIG TCP), tshark takes the payload as empty' },
	'tcpdump_linktype_ipv4_invalid.pcap': { skip: ['layers'], why: 'an IPv6 packet under LINKTYPE_IPV4: tshark shows an "ip" layer that hands over to IPv6, netsleuth the IPv6 layer (and a note)' },
	'tcpdump_linktype_ipv6_invalid.pcap': { skip: ['layers', 'ip', 'udp', 'dns'], why: 'an IPv4 packet under LINKTYPE_IPV6: tshark stops, netsleuth decodes it as IPv4 (and notes the mismatch)' },
	'tcpdump_timestamp_invalid_micro.pcap': { skip: ['frame.time_epoch'], why: 'a fraction field ≥ 1 s: tshark\'s arithmetic overflows; netsleuth keeps the fields and carries into the seconds when it prints' },
	'tcpdump_timestamp_invalid_nano.pcap': { skip: ['frame.time_epoch'], why: 'as above, for nanoseconds' },
	'gopacket_sll_oversized_addr.pcapng': { skip: ['tcp.ack', 'tcp.flags', 'tcp.window_size_value', 'tcp.urgent_pointer'], why: 'frame 95 has TCP header length 0: tshark stops after it, netsleuth keeps the fixed header\'s fields and notes the bad length' },
};

function compareFile(path: string, bytes: Uint8Array, decodeAs: string[], prefixOnly: ReadonlySet<string>, skip: ReadonlySet<string> = new Set()): { differences: Difference[]; values: number } {
	const theirs = tsharkFrames(path, decodeAs);
	const { frames } = readAll(bytes);
	const differences: Difference[] = [];
	let values = 0;
	assert.equal(frames.length, theirs.length, `${path}: tshark reads ${theirs.length} frames, netsleuth ${frames.length}`);
	frames.forEach((frame, i) => {
		const d = decodeFrame(frame);
		const ours = ourFields(d);
		for (const list of ours.values()) values += list.length;
		differences.push(...compareFrame(theirs[i]!, ours, d, prefixOnly, skip));
	});
	return { differences, values };
}

test('decoded fields equal tshark\'s on every corpus capture', { skip: !hasTshark ? 'tshark is not installed (apt-get install tshark)' : !pcapCorpusPresent ? 'the pcap corpus (../shared/corpus/pcap) is absent' : false }, (t) => {
	const report: string[] = [];
	let values = 0;
	for (const name of corpusCaptures()) {
		const expected = EXPECTED[name];
		const result = compareFile(`${PCAP_DIR}${name}`, readFileSync(`${PCAP_DIR}${name}`), [], new Set(expected?.prefix ?? []), new Set(expected?.skip ?? []));
		values += result.values;
		for (const d of result.differences) report.push(`${name} #${d.frame} ${d.field}: tshark ${JSON.stringify(d.tshark)} netsleuth ${JSON.stringify(d.netsleuth)}`);
	}
	if (process.env.NETSLEUTH_TSHARK_REPORT) writeFileSync(process.env.NETSLEUTH_TSHARK_REPORT, report.join('\n'));
	assert.deepEqual(report.slice(0, 40), [], `${report.length} differences`);
	assert.ok(values > 10000, `only ${values} values compared`);
	t.diagnostic(`${values} field values compared with tshark on ${corpusCaptures().length} captures; ${Object.keys(EXPECTED).length} captures with documented differences`);
});

test('decoded fields equal tshark\'s on generated captures of every layer and link type', { skip: !hasTshark ? 'tshark is not installed (apt-get install tshark)' : false }, () => {
	const dir = mkdtempSync(`${tmpdir()}/netsleuth-tshark-`);
	try {
		const report: string[] = [];
		for (const capture of generatedCaptures()) {
			const path = `${dir}/${capture.name}`;
			writeFileSync(path, capture.bytes);
			const result = compareFile(path, capture.bytes, ['udp.port==51820,wg', 'udp.port==8472,vxlan'], new Set());
			for (const d of result.differences) report.push(`${capture.name} #${d.frame} ${d.field}: tshark ${JSON.stringify(d.tshark)} netsleuth ${JSON.stringify(d.netsleuth)}`);
		}
		assert.deepEqual(report.slice(0, 40), [], `${report.length} differences`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
