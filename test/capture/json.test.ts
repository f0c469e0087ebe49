import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeFrame } from '../../source/capture/decode/index.js';
import { JsonLineWriter } from '../../source/capture/json-writer.js';
import { jsonLine } from '../../source/capture/summary.js';
import { corpusCaptures, PCAP_DIR, pcapCorpusPresent, readAll } from './support/corpus.js';
import { generatedCaptures } from './support/generated.js';

/** The writer the CLI uses must print exactly jsonLine's text, byte for byte, and only ASCII. */
test('JsonLineWriter writes the same bytes as jsonLine on every corpus and generated packet', () => {
	const inputs = [
		...generatedCaptures().map((c) => c.bytes),
		...(pcapCorpusPresent ? corpusCaptures().map((name) => readFileSync(`${PCAP_DIR}${name}`) as Uint8Array) : []),
	];
	let packets = 0;
	for (const bytes of inputs) {
		const chunks: Uint8Array[] = [];
		const writer = new JsonLineWriter((chunk) => chunks.push(Buffer.from(chunk)), 256); // small buffers: lines cross them
		let expected = '';
		for (const frame of readAll(bytes).frames) {
			const d = decodeFrame(frame);
			expected += jsonLine(d);
			writer.write(d);
			packets++;
		}
		writer.flush();
		const written = Buffer.concat(chunks).toString('latin1');
		assert.equal(written, expected);
		assert.match(written, /^[\x20-\x7e\n]*$/);
		for (const line of written.split('\n').filter(Boolean)) JSON.parse(line);
	}
	assert.ok(packets > 100);
});
