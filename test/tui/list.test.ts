import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findRow, moveBy, moveTo, page, scrollSideways, showAtTop, START, windowTop } from '../../source/tui/list.js';

describe('list positions', () => {
	test('the window follows the cursor and stays within the list', () => {
		let list = START;
		for (let i = 0; i < 12; i++) list = moveBy(list, 1, 100, 10);
		assert.deepEqual([list.cursor, list.top], [12, 3]);
		list = moveTo(list, 2, 100, 10);
		assert.deepEqual([list.cursor, list.top], [2, 2]);
		assert.deepEqual(moveBy(START, -1, 100, 10), START);
		assert.equal(moveTo(START, 500, 100, 10).cursor, 99);
		assert.equal(windowTop({ cursor: 99, top: 95, left: 0 }, 100, 10), 90);
		assert.equal(moveTo(START, 5, 0, 10).cursor, 0);
	});
	test('pages keep the cursor in its place on the screen, and go all the way at either end', () => {
		const list = { cursor: 3, top: 0, left: 0 };
		assert.deepEqual(page(list, 1, 100, 10), { cursor: 13, top: 10, left: 0 });
		assert.deepEqual(page({ cursor: 93, top: 90, left: 0 }, 1, 100, 10), { cursor: 99, top: 90, left: 0 });
		assert.deepEqual(page({ cursor: 13, top: 10, left: 0 }, -1, 100, 10), { cursor: 3, top: 0, left: 0 });
		assert.deepEqual(page({ cursor: 3, top: 0, left: 0 }, -1, 100, 10), { cursor: 0, top: 0, left: 0 });
	});
	test('an opened chain comes to the top of the window', () => {
		assert.deepEqual(showAtTop(START, 40, 100, 10), { cursor: 40, top: 40, left: 0 });
		assert.deepEqual(showAtTop(START, 95, 100, 10), { cursor: 95, top: 90, left: 0 });
	});
	test('sideways scrolling stops at the widest line', () => {
		assert.equal(scrollSideways(START, 8, 100, 80).left, 8);
		assert.equal(scrollSideways({ ...START, left: 16 }, 8, 100, 80).left, 20);
		assert.equal(scrollSideways(START, -8, 100, 80).left, 0);
	});
	test('search is case-insensitive, wraps around, and goes both ways', () => {
		const rows = ['alpha', 'Beta', 'gamma', 'beta 2'];
		const text = (i: number) => rows[i]!;
		assert.equal(findRow(4, text, 'BETA', 0, 1), 1);
		assert.equal(findRow(4, text, 'beta', 2, 1), 3);
		assert.equal(findRow(4, text, 'beta', 4, 1), 1);
		assert.equal(findRow(4, text, 'beta', 0, -1), 3);
		assert.equal(findRow(4, text, 'delta', 0, 1), undefined);
		assert.equal(findRow(0, text, 'a', 0, 1), undefined);
	});
});
