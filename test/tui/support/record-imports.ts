/**
 * `node --import ./record-imports.js`: writes every module URL the process loads to the file named by
 * NETSLEUTH_RECORD_IMPORTS, one a line (a module-resolution hook runs on its own thread, so it appends).
 */
import { register } from 'node:module';

register(new URL('./record-imports-hooks.js', import.meta.url));
