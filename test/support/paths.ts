import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, from a compiled test in dist/test/…. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** ../shared/corpus beside the clone, when it exists (always in CI, not in a user's clone). */
export const CORPUS = fileURLToPath(new URL('../shared/corpus/', `file://${REPO}`));
export const corpusPresent = existsSync(CORPUS);
