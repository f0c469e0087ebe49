import assert from 'node:assert/strict';
import { test } from 'node:test';
import Table from 'cli-table3';
import { fastPage, renderPage } from '../../source/views/page-table.js';

const cliTable = (head: string[], rows: string[][]) => {
	const table = new Table({ head, style: { head: [], border: [] } });
	table.push(...rows);
	return `${table.toString()}\n`;
};

const HEAD = ['#', 'time', 'source', 'destination', 'summary', 'fate'];

test('a page comes out as cli-table3 renders it: borders, header, lines between rows, columns padded to the widest', () => {
	const rows: string[][] = [];
	for (let i = 1; i <= 300; i++) {
		rows.push([String(i), `2023-11-14 22:13:${String(i % 60).padStart(2, '0')}.000000`, i % 3 ? `10.0.${i % 256}.1` : `fd00:${i.toString(16)}::1`,
			'10.0.0.2', 'x'.repeat(i % 97), i % 5 ? '' : `dropped filter/INPUT #${i} DROP`]);
	}
	for (const n of [1, 2, 300]) assert.equal(fastPage(HEAD, rows.slice(0, n)), cliTable(HEAD, rows.slice(0, n)));
});

test('cells that are not printable ASCII (wide characters, combining marks) are left to cli-table3, which measures them', () => {
	const rows = [['1', 'a', 'b', 'c', 'chain 日本語 ☃', 'x'], ['2', 'a', 'b', 'c', 'é\u0301', 'y']];
	assert.equal(fastPage(HEAD, rows), undefined);
	assert.equal(renderPage(HEAD, rows), cliTable(HEAD, rows));
	assert.match(renderPage(HEAD, rows), /日本語/);
});
