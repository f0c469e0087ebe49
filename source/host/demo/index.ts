import { readFileSync } from 'node:fs';
import { InputError, type RawHostState } from '../model.js';

/** node0 of the handout's Calico lab, and the same node with each of the handout's iptables exercises. */
export const DEMO_NAMES = ['node0', 'reject-ip', 'reject-mac', 'http-only', 'no-ping'] as const;

/** The lab snapshots are recorded by build-lab.sh in real namespaces and shipped beside the sources. */
const LAB = new URL('../../../../source/host/demo/lab/', import.meta.url);

export function loadDemo(name: string): { raw: RawHostState } {
	if (!(DEMO_NAMES as readonly string[]).includes(name)) throw new InputError(`unknown demo "${name}": choose one of ${DEMO_NAMES.join(', ')}`);
	const raw = JSON.parse(readFileSync(new URL(`${name}.json`, LAB), 'utf8')) as RawHostState & { variant?: string };
	delete raw.variant;
	return { raw };
}
