import { oneLine, quoted } from './safe-text.js';

/**
 * JSON read from a file or a command (`ip -j`, `bridge -j`, `nft -j`, snapshots): a syntax error says
 * where, as line and column, in one line. Node's own JSON.parse messages give a position for most errors
 * but not for an unexpected token, and then quote the input around it, line breaks and all.
 */
export class JsonSyntaxError extends Error {
	constructor(
		readonly line: number,
		readonly column: number,
		readonly reason: string,
	) {
		super(`invalid JSON at line ${line} column ${column}: ${reason}`);
	}
}

/** A JSON value named in a message ("got …"): a string quoted, anything else as JSON, both cut short. */
export function jsonValueText(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (typeof value === 'string') return quoted(value);
	try {
		return oneLine(JSON.stringify(value) ?? String(value), 60);
	} catch {
		// JSON.stringify recurses: a value nested thousands deep overflows the stack.
		return Array.isArray(value) ? 'a deeply nested array' : 'a deeply nested object';
	}
}

export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		if (!(error instanceof SyntaxError)) throw error;
		throw syntaxError(text, error.message);
	}
}

function syntaxError(text: string, message: string): JsonSyntaxError {
	const at = / (?:in JSON )?at position (\d+)/.exec(message);
	let offset: number;
	let reason: string;
	if (at) {
		offset = Number(at[1]);
		reason = message.slice(0, at.index);
	} else if (/^Unexpected end of JSON input/.test(message)) {
		offset = text.length;
		reason = 'unexpected end of input';
	} else {
		offset = firstError(text);
		reason = offset < text.length ? `unexpected character ${quoted(String.fromCodePoint(text.codePointAt(offset)!))}` : 'unexpected end of input';
	}
	const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
	let line = 1;
	for (let i = text.indexOf('\n'); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
	return new JsonSyntaxError(line, offset - lineStart + 1, reason.charAt(0).toLowerCase() + reason.slice(1));
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/**
 * The offset of the first character where `text` stops being JSON (RFC 8259), for the errors Node
 * gives no position for. Iterative: input nested thousands deep cannot overflow the stack.
 */
function firstError(text: string): number {
	const n = text.length;
	const open: string[] = [];
	let i = 0;
	const skipSpace = () => {
		while (i < n && WHITESPACE.has(text[i]!)) i++;
	};
	/** Moves past a string starting at i; false when it is not one. */
	const string = (): boolean => {
		if (text[i] !== '"') return false;
		for (i++; i < n; i++) {
			const c = text[i]!;
			if (c === '"') {
				i++;
				return true;
			}
			if (c < ' ') return false;
			if (c === '\\') {
				i++;
				if (text[i] === 'u') {
					for (let k = 0; k < 4; k++) if (!isHex(text[++i])) return false;
				} else if (!ESCAPES.has(text[i]!)) return false;
			}
		}
		return false;
	};
	const number = (): boolean => {
		if (text[i] === '-') i++;
		if (text[i] === '0') i++;
		else if (isDigit(text[i])) while (isDigit(text[i])) i++;
		else return false;
		if (text[i] === '.') {
			if (!isDigit(text[++i])) return false;
			while (isDigit(text[i])) i++;
		}
		if (text[i] === 'e' || text[i] === 'E') {
			if (text[++i] === '+' || text[i] === '-') i++;
			if (!isDigit(text[i])) return false;
			while (isDigit(text[i])) i++;
		}
		return true;
	};
	const literal = (word: string): boolean => {
		for (const c of word) {
			if (text[i] !== c) return false;
			i++;
		}
		return true;
	};
	// value: a value is expected; after: one ended; key: a member name is expected (after "{" or ",").
	let state: 'value' | 'after' | 'key' = 'value';
	let emptyAllowed = false;
	for (;;) {
		skipSpace();
		const c = text[i];
		if (state === 'value') {
			if (c === ']' && emptyAllowed) {
				open.pop();
				i++;
				state = 'after';
			} else if (c === '[' || c === '{') {
				open.push(c);
				i++;
				state = c === '[' ? 'value' : 'key';
				emptyAllowed = true;
				continue;
			} else if (c === '"' ? string() : c === '-' || isDigit(c) ? number() : c === 't' ? literal('true') : c === 'f' ? literal('false') : c === 'n' ? literal('null') : false) state = 'after';
			else return i;
		} else if (state === 'key') {
			if (c === '}' && emptyAllowed) {
				open.pop();
				i++;
				state = 'after';
			} else {
				if (!string()) return i;
				skipSpace();
				if (text[i] !== ':') return i;
				i++;
				state = 'value';
			}
		} else {
			const top = open[open.length - 1];
			if (top === undefined) return i < n ? i : n;
			if (c === ',') state = top === '[' ? 'value' : 'key';
			else if (c !== (top === '[' ? ']' : '}')) return i;
			else open.pop();
			i++;
		}
		emptyAllowed = false;
	}
}
