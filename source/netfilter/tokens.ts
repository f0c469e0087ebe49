import { oneLine } from '../views/safe-text.js';

/** A word of an iptables-save line: its unquoted text, as written, and where it starts. */
export interface Token {
	readonly text: string;
	readonly raw: string;
	/** 1-based column of the first character. */
	readonly column: number;
	readonly quoted: boolean;
}

/** The reason is made one line (it quotes words of the input, whatever they hold) and bounded. */
export class ParseError extends Error {
	readonly reason: string;

	constructor(
		readonly line: number,
		readonly column: number,
		reason: string,
	) {
		const clean = oneLine(reason);
		super(clean);
		this.reason = clean;
	}
}

/**
 * Splits a rule line as iptables-restore does: whitespace separates words, double quotes group them, and
 * inside quotes a backslash escapes the next character (iptables-save writes `"a \"b\""`).
 * Words are cut out of the line whole (no character-by-character building): only a word with quotes
 * is assembled from its pieces.
 */
export function tokenize(line: string, lineNumber: number): Token[] {
	const tokens: Token[] = [];
	const n = line.length;
	let i = 0;
	for (;;) {
		let c = 0;
		while (i < n && ((c = line.charCodeAt(i)) === 32 || c === 9)) i++;
		if (i >= n) return tokens;
		const start = i;
		while (i < n && (c = line.charCodeAt(i)) !== 32 && c !== 9 && c !== 34) i++;
		if (i >= n || c !== 34) {
			const word = line.slice(start, i);
			tokens.push({ text: word, raw: word, column: start + 1, quoted: false });
			continue;
		}
		// A word with quotes: the pieces between quotes and escapes are joined.
		let text = line.slice(start, i);
		let piece = i;
		let inQuotes = false;
		while (i < n) {
			c = line.charCodeAt(i);
			if (!inQuotes && (c === 32 || c === 9)) break;
			if (c === 34) {
				text += line.slice(piece, i);
				inQuotes = !inQuotes;
				i++;
				piece = i;
			} else if (c === 92 && inQuotes && i + 1 < n) {
				text += line.slice(piece, i) + line[i + 1];
				i += 2;
				piece = i;
			} else i++;
		}
		text += line.slice(piece, i);
		if (inQuotes) throw new ParseError(lineNumber, start + 1, 'unterminated quoted string (a closing " is missing)');
		tokens.push({ text, raw: line.slice(start, i), column: start + 1, quoted: true });
	}
}
