import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeText } from '../../source/host/decode-text.js';

test('decodeText reads bytes as readFile(…, "utf8") does: ASCII, UTF-8, and bytes that are not UTF-8', () => {
	const samples = [
		'-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -j KUBE-SVC-A\n',
		'-A INPUT -m comment --comment "café → ☕" -j ACCEPT\n',
		'',
	].map((text) => Buffer.from(text, 'utf8'));
	samples.push(Buffer.from([0x2d, 0x41, 0x20, 0xff, 0xfe, 0xc3, 0x0a]), Buffer.from([0x80]));
	for (const bytes of samples) assert.equal(decodeText(bytes), bytes.toString('utf8'));
});
