import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface BpfOptions {
	readonly program: string;
	readonly negated: boolean;
}

/** -m bpf: a BPF program decides (xt_bpf). netsleuth does not run BPF: the program is assumed not to match. */
export const bpf: MatchExtension<BpfOptions> = {
	name: 'bpf',
	reads: {},
	parse(uses, ctx) {
		let options: BpfOptions | undefined;
		for (const use of readOptions('bpf', uses, ctx, {
			'--bytecode': { args: 1, negatable: true },
			'--object-pinned': { args: 1, negatable: true },
		})) {
			if (options) ctx.fail(use.token, 'bpf takes --bytecode or --object-pinned, once');
			const token = use.args[0]!;
			if (use.name === '--bytecode' && !/^\d+(,\d+ \d+ \d+ \d+)+$/.test(token.text.trim())) ctx.fail(token, 'expected bytecode "N,op jt jf k,…" as nfbpf_compile prints it');
			options = { program: use.name === '--bytecode' ? 'the inline bytecode' : `program ${token.text}`, negated: use.negated };
		}
		return ctx.require(options, 'bpf match needs --bytecode or --object-pinned');
	},
	evaluate(o, _packet, env) {
		return assumeThat(env, `-m bpf: netsleuth does not run BPF; ${o.program} is assumed not to match`, o.negated, `${o.program} is assumed not to match`);
	},
};
