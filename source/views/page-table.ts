import Table from 'cli-table3';

const PLAIN = { style: { head: [], border: [] } };
/** Cells whose width is their length: printable ASCII (every cell has been through safeText). */
const ASCII = /^[\x20-\x7e]*$/;

/** The page as cli-table3 renders it, cell by cell (about half a millisecond a row). */
function cliTable(head: readonly string[], rows: readonly string[][]): string {
	const table = new Table({ head: [...head], ...PLAIN });
	table.push(...rows);
	return `${table.toString()}\n`;
}

function rowLine(cells: readonly string[], widths: readonly number[]): string {
	let line = '│';
	for (let c = 0; c < widths.length; c++) line += ` ${(cells[c] ?? '').padEnd(widths[c]!)} │`;
	return line;
}

/**
 * One page of a long listing as cli-table3 would render it (borders, header, a line between rows, every
 * cell left-aligned and padded to its column's widest), at a small part of the cost: cli-table3 lays out
 * the header and the first row at the page's column widths, and the other rows are padded to those
 * widths with the same border characters. Undefined when that cannot be done faithfully: a cell that is
 * not printable ASCII (its width on a terminal is not its length), or a first row that does not come
 * out as cli-table3's.
 */
export function fastPage(head: readonly string[], rows: readonly string[][]): string | undefined {
	if (rows.length === 0 || !head.every((h) => ASCII.test(h))) return undefined;
	const widths = head.map((h) => h.length);
	for (const row of rows) {
		if (row.length !== head.length) return undefined;
		for (let c = 0; c < row.length; c++) {
			const cell = row[c]!;
			if (!ASCII.test(cell)) return undefined;
			if (cell.length > widths[c]!) widths[c] = cell.length;
		}
	}
	const frame = new Table({ head: [...head], colWidths: widths.map((w) => w + 2), ...PLAIN });
	frame.push([...rows[0]!]);
	const [top, heading, between, first, bottom, ...more] = frame.toString().split('\n');
	if (more.length > 0 || bottom === undefined || first !== rowLine(rows[0]!, widths)) return undefined;
	let text = `${top}\n${heading}\n${between}\n${first}\n`;
	for (let r = 1; r < rows.length; r++) text += `${between}\n${rowLine(rows[r]!, widths)}\n`;
	return `${text}${bottom}\n`;
}

/** One page of a long listing (a table of its own), the same text as cli-table3 makes of it. */
export function renderPage(head: readonly string[], rows: readonly string[][]): string {
	return fastPage(head, rows) ?? cliTable(head, rows);
}
