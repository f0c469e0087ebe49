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

/** Numbers take two ways (below 2^31 as 32-bit integers, above in two parts): both must print as String() does. */
test('JsonLineWriter.int writes any non-negative safe integer as its decimal digits', () => {
	const values: number[] = [0, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 1e8, 1e8 - 1, 1e16 - 1, Number.MAX_SAFE_INTEGER];
	for (let p = 1; p <= 15; p++) values.push(10 ** p - 1, 10 ** p, 10 ** p + 1);
	let x = 1;
	for (let i = 0; i < 20000; i++) {
		x = (Math.imul(x, 1103515245) + 12345) >>> 0;
		values.push(Math.floor(x * (2 ** (i % 22))));
	}
	const chunks: Uint8Array[] = [];
	const writer = new JsonLineWriter((chunk) => chunks.push(Buffer.from(chunk)), 64);
	for (const value of values) {
		writer.int(value);
		writer.text(',');
	}
	writer.flush();
	assert.equal(Buffer.concat(chunks).toString('latin1'), `${values.join(',')},`);
});
