import { readFileSync } from 'node:fs';
import { InputError, type RawHostState } from '../model.js';
import { parseSnapshot } from '../snapshot.js';

import { DEMO_NAMES } from './names.js';

// The names live in their own module so that the CLI's help can show them without loading the rest.
export { DEMO_NAMES };

/** The lab snapshots are recorded by build-lab.sh in real namespaces and shipped beside the sources. */
const LAB = new URL('../../../../source/host/demo/lab/', import.meta.url);

export function loadDemo(name: string): { raw: RawHostState } {
	if (!(DEMO_NAMES as readonly string[]).includes(name)) throw new InputError(`unknown demo "${name}": choose one of ${DEMO_NAMES.join(', ')}`);
	// Each variant is a snapshot that `netsleuth snapshot --netns` wrote in the lab (build-lab.sh).
	return { raw: parseSnapshot(readFileSync(new URL(`${name}.json`, LAB), 'utf8'), `demo ${name}`).raw };
}
