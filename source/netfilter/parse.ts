import { parseCidr } from '../packet/address.js';
import { PROTOCOL_NUMBERS } from '../packet/packet.js';
import { type OptionUse, ParseContext } from './extension.js';
import { CONNTRACK_USERS, implicitMatchFor, matchExtension, targetExtension } from './registry.js';
import {
	BUILTIN_CHAINS,
	type BasicCriteria,
	type Chain,
	type Counters,
	type Diagnostic,
	type MatchUse,
	type Rule,
	type Ruleset,
	type Table,
	type TargetUse,
} from './ruleset.js';
import { ParseError, type Token, tokenize } from './tokens.js';

const CHAIN_NAME = /^[^\s!-][^\s]{0,28}$/;

const BASIC_OPTIONS: Readonly<Record<string, string>> = {
	'-s': 'source', '--source': 'source', '--src': 'source',
	'-d': 'destination', '--destination': 'destination', '--dst': 'destination',
	'-p': 'protocol', '--protocol': 'protocol',
	'-i': 'in', '--in-interface': 'in',
	'-o': 'out', '--out-interface': 'out',
	'-f': 'fragment', '--fragment': 'fragment',
	'-4': 'family', '--ipv4': 'family', '-6': 'family', '--ipv6': 'family',
	'-c': 'counters', '--set-counters': 'counters',
	'-m': 'match', '--match': 'match',
	'-j': 'jump', '--jump': 'jump',
	'-g': 'goto', '--goto': 'goto',
};

function parseCounters(text: string): Counters | undefined {
	const m = /^\[(\d+):(\d+)\]$/.exec(text);
	return m ? { packets: BigInt(m[1]!), bytes: BigInt(m[2]!) } : undefined;
}

/** Interface names as iptables takes them: up to 15 characters, `+` as a trailing wildcard. */
function checkInterface(ctx: ParseContext, token: Token): string {
	if (token.text.length === 0 || token.text.length > 15 || /[\s/]/.test(token.text)) ctx.fail(token, `"${token.text}" is not an interface name`);
	return token.text;
}

interface Group {
	kind: 'match' | 'target';
	name: string;
	goto: boolean;
	implicit: boolean;
	tokens: Token[];
	uses: OptionUse[];
}

/** Parses the words of one rule after `-A CHAIN` into criteria, matches and a target. */
function parseRuleBody(tokens: Token[], ctx: ParseContext, hasChain: (name: string) => boolean): Omit<Rule, 'table' | 'chain' | 'line' | 'text' | 'tokens'> & { counters?: Counters } {
	const basic: BasicCriteria = {};
	const groups: Group[] = [];
	let counters: Counters | undefined;
	let current: Group | undefined;
	let target: Group | undefined;
	let i = 0;

	const takeValue = (option: Token): { value: Token; negated: boolean } => {
		let next = tokens[i];
		let negated = false;
		if (next && next.text === '!' && !next.quoted) {
			ctx.warn(next, `old iptables syntax "${option.text} ! value": write "! ${option.text} value"`);
			negated = true;
			i++;
			next = tokens[i];
		}
		if (!next) ctx.fail(option, `${option.text} expects a value`);
		i++;
		return { value: next, negated };
	};

	while (i < tokens.length) {
		const token = tokens[i]!;
		let negated = false;
		let optionToken = token;
		if (token.text === '!' && !token.quoted) {
			negated = true;
			optionToken = tokens[i + 1] ?? ctx.fail(token, '"!" must be followed by an option');
			i++;
		}
		i++;
		const text = optionToken.text;
		if (optionToken.quoted || !text.startsWith('-') || text === '-') {
			ctx.fail(optionToken, `unexpected "${text}": expected an option such as -p, -m or -j`);
		}
		const basicName = BASIC_OPTIONS[text];
		if (basicName && basicName !== 'match' && basicName !== 'jump' && basicName !== 'goto' && basicName !== 'counters' && basicName !== 'family') {
			// Options of iptables itself end whatever extension came before.
			current = undefined;
			if (basicName === 'fragment') {
				basic.fragment = { value: true, negated };
				continue;
			}
			const field = ({ source: 'source', destination: 'destination', protocol: 'protocol', in: 'inInterface', out: 'outInterface' } as const)[basicName as 'source'];
			if (basic[field]) ctx.fail(optionToken, `multiple ${text} flags not allowed`);
			const { value, negated: oldNegation } = takeValue(optionToken);
			const neg = negated || oldNegation;
			switch (basicName) {
				case 'source':
				case 'destination': {
					const cidr = parseCidr(value.text);
					if (!cidr || cidr.family !== ctx.family) ctx.fail(value, `expected an IPv${ctx.family} address or network, got "${value.text}"`);
					basic[basicName] = { value: cidr, negated: neg };
					break;
				}
				case 'protocol': {
					const name = value.text.toLowerCase();
					const number = /^\d+$/.test(name) ? Number(name) : PROTOCOL_NUMBERS[name];
					if (number === undefined || number > 255) ctx.fail(value, `unknown protocol "${value.text}"`);
					basic.protocol = { value: { number, name }, negated: neg };
					break;
				}
				case 'in':
					basic.inInterface = { value: checkInterface(ctx, value), negated: neg };
					break;
				case 'out':
					basic.outInterface = { value: checkInterface(ctx, value), negated: neg };
					break;
			}
			continue;
		}
		if (basicName === 'family') {
			if ((text === '-4' || text === '--ipv4') !== (ctx.family === 4)) ctx.warn(optionToken, `${text} in an IPv${ctx.family} ruleset: iptables skips this rule`);
			continue;
		}
		if (basicName === 'counters') {
			const packets = tokens[i];
			const bytes = tokens[i + 1];
			if (!packets || !bytes || !/^\d+$/.test(packets.text) || !/^\d+$/.test(bytes.text)) ctx.fail(optionToken, '-c expects two numbers: packets and bytes');
			counters = { packets: BigInt(packets.text), bytes: BigInt(bytes.text) };
			i += 2;
			continue;
		}
		if (basicName === 'match' || basicName === 'jump' || basicName === 'goto') {
			if (negated) ctx.fail(token, `${text} cannot be negated`);
			const name = tokens[i] ?? ctx.fail(optionToken, `${text} expects a ${basicName === 'match' ? 'module' : 'target'} name`);
			i++;
			const group: Group = {
				kind: basicName === 'match' ? 'match' : 'target',
				name: basicName === 'match' ? name.text.toLowerCase() : name.text,
				goto: basicName === 'goto',
				implicit: false,
				tokens: [optionToken, name],
				uses: [],
			};
			if (group.kind === 'target') {
				if (target) ctx.fail(optionToken, 'a rule has one target; a second -j or -g was found');
				target = group;
			} else groups.push(group);
			current = group;
			continue;
		}
		// An option of an extension: it belongs to the extension named last, or to the protocol's own.
		if (!current) {
			const implicitName = basic.protocol && !basic.protocol.negated ? implicitMatchFor(basic.protocol.value.name, ctx.family) : undefined;
			if (!implicitName) ctx.fail(optionToken, `unknown option "${text}" (no -m module before it takes it)`);
			current = groups.find((g) => g.name === implicitName);
			if (!current) {
				current = { kind: 'match', name: implicitName, goto: false, implicit: true, tokens: [], uses: [] };
				groups.push(current);
			}
		}
		const args: Token[] = [];
		let oldNegation = false;
		if (tokens[i]?.text === '!' && !tokens[i]!.quoted && tokens[i + 1] && !tokens[i + 1]!.text.startsWith('-')) {
			ctx.warn(tokens[i]!, `old iptables syntax "${text} ! value": write "! ${text} value"`);
			oldNegation = true;
			i++;
		}
		while (i < tokens.length) {
			const next = tokens[i]!;
			if (!next.quoted && (next.text === '!' || (next.text.startsWith('-') && next.text.length > 1 && !/^-\d/.test(next.text)))) break;
			args.push(next);
			i++;
		}
		current.uses.push({ name: text, negated: negated || oldNegation, args, token: optionToken });
	}

	const proto = basic.protocol && !basic.protocol.negated ? basic.protocol.value.number : undefined;
	ctx.protocol = proto === undefined ? undefined : ({ 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6', 132: 'sctp', 33: 'dccp', 136: 'udplite' } as Record<number, string>)[proto] ?? String(proto);
	const matches: MatchUse[] = groups.map((group) => {
		const extension = matchExtension(group.name);
		ctx.anchor = group.tokens[1] ?? group.uses[0]!.token;
		if (!extension) ctx.warn(group.tokens[1] ?? group.uses[0]!.token, `match module "${group.name}" is not known to netsleuth: its result is an assumption`);
		return {
			name: group.name,
			extension,
			options: extension ? extension.parse(expandAbbreviations(group.uses, extension.options, ctx), ctx) : undefined,
			uses: group.uses,
			tokens: group.tokens,
		};
	});
	let targetUse: TargetUse | undefined;
	if (target) {
		const extension = hasChain(target.name) ? undefined : targetExtension(target.name);
		if (target.goto && !hasChain(target.name)) ctx.warn(target.tokens[1]!, `-g ${target.name}: goto needs a user chain; treated as -j`);
		if (!extension && !hasChain(target.name)) ctx.warn(target.tokens[1]!, `target "${target.name}" is neither a chain nor known to netsleuth: its effect is an assumption`);
		if (extension?.tables && !extension.tables.includes(ctx.table)) ctx.fail(target.tokens[1]!, `${target.name} is only valid in the ${extension.tables.join(', ')} table`);
		ctx.anchor = target.tokens[1]!;
		targetUse = {
			name: target.name,
			goto: target.goto && hasChain(target.name),
			extension,
			options: extension ? extension.parse(expandAbbreviations(target.uses, extension.options, ctx), ctx) : undefined,
			tokens: target.tokens,
		};
		if (!extension && target.uses.length) ctx.warn(target.uses[0]!.token, `options after -j ${target.name} are kept but not understood`);
	}
	const result: Omit<Rule, 'table' | 'chain' | 'line' | 'text' | 'tokens'> & { counters?: Counters } = { basic, matches, target: targetUse };
	if (counters) result.counters = counters;
	return result;
}

/** getopt_long takes any unambiguous prefix of a long option; iptables-restore inherits that. */
function expandAbbreviations(uses: OptionUse[], names: readonly string[] | undefined, ctx: ParseContext): OptionUse[] {
	if (!names) return uses;
	return uses.map((use) => {
		if (names.includes(use.name)) return use;
		const candidates = names.filter((name) => name.startsWith(use.name));
		if (candidates.length !== 1) return use;
		ctx.warn(use.token, `${use.name} is an abbreviation of ${candidates[0]}`);
		return { ...use, name: candidates[0]! };
	});
}

export interface ParseOptions {
	/** 4 for iptables-save (the default), 6 for ip6tables-save. */
	readonly family?: 4 | 6;
	/** Shown in messages: the file name or "iptables-save". */
	readonly origin?: string;
}

/**
 * Parses iptables-save / ip6tables-save output (or iptables-restore input) into a Ruleset. Errors carry
 * line and column; problems whose meaning is still clear become warnings.
 */
export function parseRuleset(text: string, options: ParseOptions = {}): Ruleset {
	const family = options.family ?? 4;
	const origin = options.origin ?? 'iptables-save';
	const tables = new Map<string, Table>();
	const warnings: Diagnostic[] = [];
	let table: Table | undefined;
	const lines = text.split('\n');

	for (let index = 0; index < lines.length; index++) {
		const lineNumber = index + 1;
		const line = lines[index]!.replace(/\r$/, '');
		const trimmed = line.trim();
		if (trimmed === '' || trimmed.startsWith('#')) continue;
		const col = line.length - line.trimStart().length + 1;
		if (trimmed.startsWith('*')) {
			if (table) throw new ParseError(lineNumber, col, `table "${table.name}" (line ${table.line}) is not closed: COMMIT expected before a new table`);
			const name = trimmed.slice(1);
			if (!BUILTIN_CHAINS[name]) throw new ParseError(lineNumber, col + 1, `unknown table "${name}": expected raw, mangle, nat, filter or security`);
			table = tables.get(name) ?? { name, line: lineNumber, chains: new Map() };
			tables.set(name, table);
			continue;
		}
		if (!table) throw new ParseError(lineNumber, col, `expected a table line such as "*filter" before "${trimmed.slice(0, 20)}"`);
		if (trimmed === 'COMMIT') {
			table = undefined;
			continue;
		}
		if (trimmed.startsWith(':')) {
			const parts = trimmed.slice(1).split(/\s+/);
			const [name, policy, counterText] = parts;
			if (!name || !CHAIN_NAME.test(name)) throw new ParseError(lineNumber, col + 1, `invalid chain name "${name ?? ''}"`);
			const builtin = BUILTIN_CHAINS[table.name]!.includes(name);
			if (policy === undefined) throw new ParseError(lineNumber, col + 1 + name.length, `chain ${name}: expected a policy (ACCEPT, DROP or -)`);
			if (builtin && policy !== 'ACCEPT' && policy !== 'DROP') throw new ParseError(lineNumber, line.indexOf(policy, col) + 1, `built-in chain ${name} needs policy ACCEPT or DROP, got "${policy}"`);
			if (!builtin && policy !== '-') throw new ParseError(lineNumber, line.indexOf(policy, col) + 1, `user chain ${name} cannot have a policy ("${policy}"); expected "-"`);
			const counters = counterText ? parseCounters(counterText) : undefined;
			if (counterText && !counters) throw new ParseError(lineNumber, line.indexOf(counterText, col) + 1, `expected counters [packets:bytes], got "${counterText}"`);
			const chain: Chain = { name, builtin, line: lineNumber, rules: [] };
			if (builtin) chain.policy = policy;
			if (counters) chain.counters = counters;
			if (table.chains.has(name)) warnings.push({ line: lineNumber, column: col, text: `chain ${name} declared twice` });
			else table.chains.set(name, chain);
			continue;
		}
		parseCommand(line, lineNumber, table, family, warnings);
	}
	if (table) {
		warnings.push({ line: lines.length, column: 1, text: `table "${table.name}" has no COMMIT at the end: read as if it had one` });
	}
	let usesConntrack = false;
	for (const t of tables.values()) {
		for (const chain of t.chains.values()) {
			for (const rule of chain.rules) {
				if ((rule.target && CONNTRACK_USERS.has(rule.target.name)) || rule.matches.some((m) => CONNTRACK_USERS.has(m.name))) usesConntrack = true;
			}
		}
	}
	return { family, tables, warnings, origin, usesConntrack };
}

function ensureChain(table: Table, name: string, line: number): Chain | undefined {
	let chain = table.chains.get(name);
	if (!chain && BUILTIN_CHAINS[table.name]!.includes(name)) {
		// iptables-restore input may add to a built-in chain it never declared (kube-proxy does).
		chain = { name, builtin: true, policy: 'ACCEPT', line, rules: [] };
		table.chains.set(name, chain);
	}
	return chain;
}

function parseCommand(line: string, lineNumber: number, table: Table, family: 4 | 6, warnings: Diagnostic[]): void {
	let tokens = tokenize(line, lineNumber);
	let counters: Counters | undefined;
	const first = tokens[0]!;
	let text = line.trim();
	if (first.text.startsWith('[')) {
		counters = parseCounters(first.text);
		if (!counters) throw new ParseError(lineNumber, first.column, `expected counters [packets:bytes], got "${first.text}"`);
		tokens = tokens.slice(1);
		text = line.slice(first.column - 1 + first.raw.length).trim();
	}
	const command = tokens[0];
	if (!command) throw new ParseError(lineNumber, first.column, 'expected a command such as -A after the counters');
	const ctx: ParseContext = new ParseContext(family, lineNumber, table.name);
	switch (command.text) {
		case '-A': case '--append': case '-I': case '--insert': {
			const chainToken = tokens[1] ?? ctx.fail(command, `${command.text} expects a chain name`);
			const chain = ensureChain(table, chainToken.text, lineNumber);
			if (!chain) ctx.fail(chainToken, `chain "${chainToken.text}" does not exist in table ${table.name} (declare it with ":${chainToken.text} - [0:0]")`);
			let body = tokens.slice(2);
			let position = chain.rules.length;
			if ((command.text === '-I' || command.text === '--insert') && body[0] && /^\d+$/.test(body[0].text)) {
				position = Math.min(Number(body[0].text) - 1, chain.rules.length);
				body = body.slice(1);
			} else if (command.text === '-I' || command.text === '--insert') position = 0;
			const parsed = parseRuleBody(body, ctx, (name) => table.chains.has(name));
			const rule: Rule = {
				table: table.name,
				chain: chain.name,
				line: lineNumber,
				text,
				tokens: body,
				...parsed,
				...(counters ? { counters } : {}),
			};
			chain.rules.splice(position, 0, rule);
			break;
		}
		case '-N': case '--new-chain': {
			const name = tokens[1] ?? ctx.fail(command, '-N expects a chain name');
			if (!CHAIN_NAME.test(name.text)) ctx.fail(name, `invalid chain name "${name.text}"`);
			if (!table.chains.has(name.text)) table.chains.set(name.text, { name: name.text, builtin: false, line: lineNumber, rules: [] });
			break;
		}
		case '-P': case '--policy': {
			const name = tokens[1] ?? ctx.fail(command, '-P expects a chain and a policy');
			const policy = tokens[2] ?? ctx.fail(name, '-P expects a policy after the chain');
			const chain = ensureChain(table, name.text, lineNumber);
			if (!chain || !chain.builtin) ctx.fail(name, `-P needs a built-in chain of table ${table.name}`);
			if (policy.text !== 'ACCEPT' && policy.text !== 'DROP') ctx.fail(policy, `policy must be ACCEPT or DROP, got "${policy.text}"`);
			chain.policy = policy.text;
			break;
		}
		default:
			ctx.fail(command, `expected -A, -I, -N or -P, got "${command.text}"`);
	}
	for (const warning of ctx.warnings) warnings.push(warning);
}
