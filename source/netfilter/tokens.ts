/** A word of an iptables-save line: its unquoted text, as written, and where it starts. */
export interface Token {
	readonly text: string;
	readonly raw: string;
	/** 1-based column of the first character. */
	readonly column: number;
	readonly quoted: boolean;
}

export class ParseError extends Error {
	constructor(
		readonly line: number,
		readonly column: number,
		readonly reason: string,
	) {
		super(reason);
	}
}

/**
 * Splits a rule line as iptables-restore does: whitespace separates words, double quotes group them, and
 * inside quotes a backslash escapes the next character (iptables-save writes `"a \"b\""`).
 */
export function tokenize(line: string, lineNumber: number): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	const n = line.length;
	while (i < n) {
		while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
		if (i >= n) break;
		const start = i;
		let text = '';
		let quoted = false;
		let inQuotes = false;
		while (i < n && (inQuotes || (line[i] !== ' ' && line[i] !== '\t'))) {
			const c = line[i]!;
			if (c === '"') {
				inQuotes = !inQuotes;
				quoted = true;
				i++;
			} else if (c === '\\' && inQuotes && i + 1 < n) {
				text += line[i + 1];
				i += 2;
			} else {
				text += c;
				i++;
			}
		}
		if (inQuotes) throw new ParseError(lineNumber, start + 1, 'unterminated quoted string (a closing " is missing)');
		tokens.push({ text, raw: line.slice(start, i), column: start + 1, quoted });
	}
	return tokens;
}
