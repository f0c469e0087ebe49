import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { REPO } from './support/paths.js';

/**
 * Start-up: `netsleuth --help` and the one-shot commands must start fast, so the CLI's static import graph
 * (what node loads before main() runs) holds meow and the help text's few names, nothing of the engine, and
 * never ink or React (the TUI is imported dynamically, only when it runs).
 */

const DIST = join(REPO, 'dist', 'source');

/** The static imports of a compiled module: `import … from 'x'`, `import 'x'`, `export … from 'x'` (not `import('x')`). */
function staticImports(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const found: string[] = [];
	for (const m of text.matchAll(/^\s*(?:import|export)\s+(?:[^'"()]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) found.push(m[1]!);
	return found;
}

/** Every module reachable by static imports from the entry: files under dist/source, and package names. */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
	const files = new Set<string>();
	const packages = new Set<string>();
	const visit = (file: string) => {
		if (files.has(file)) return;
		files.add(file);
		for (const spec of staticImports(file)) {
			if (spec.startsWith('.')) visit(join(dirname(file), spec));
			else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
		}
	};
	visit(entry);
	return { files: [...files].map((f) => relative(DIST, f)).sort(), packages: [...packages].sort() };
}

describe('start-up', () => {
	test('cli.js statically imports neither ink nor React, nor any of the engine', () => {
		const { files, packages } = staticGraph(join(DIST, 'cli.js'));
		for (const name of ['ink', 'react', 'react-dom', 'yoga-layout', 'ink-testing-library']) assert.ok(!packages.includes(name), `cli.js loads ${name} at start-up`);
		assert.ok(!files.some((f) => f.startsWith('tui/')), `cli.js loads the TUI at start-up: ${files.join(', ')}`);
		assert.deepEqual(files.filter((f) => /^(netfilter|trace|capture|routing|links|commands)\//.test(f)), [], 'the engine loads when a command runs, not for --help');
		assert.deepEqual(packages, ['meow']);
	});
	test('the import scanner sees static imports and skips dynamic ones', () => {
		const { files } = staticGraph(join(DIST, 'host', 'demo', 'index.js'));
		assert.ok(files.includes('host/demo/names.js') && files.includes('host/model.js'));
		assert.ok(staticImports(join(DIST, 'cli.js')).every((spec) => !spec.includes('commands/trace')));
	});
	test('--help answers and exits 0', () => {
		const result = spawnSync(process.execPath, [join(REPO, 'bin', 'netsleuth.js'), '--help'], { encoding: 'utf8' });
		assert.equal(result.status, 0);
		assert.match(result.stdout, /netsleuth trace/);
		assert.match(result.stdout, /node0, reject-ip/);
	});
	test('the TUI is one bundled file (ink and React inside), newer than tsc\'s output, importing the engine from dist/source', () => {
		const bundle = join(DIST, 'tui', 'run.bundle.js');
		assert.ok(existsSync(bundle), 'npm run build makes dist/source/tui/run.bundle.js');
		assert.ok(statSync(bundle).mtimeMs >= statSync(join(DIST, 'tui', 'run.js')).mtimeMs, 'the bundle is older than run.js: the TUI would run unbundled');
		// Minified: import statements follow a ; or } on the same line.
		const imports = [...readFileSync(bundle, 'utf8').matchAll(/(?:^|[;}\n])\s*import\s*(?:[^"'();]*?from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
		const outside = imports.filter((spec) => !spec.startsWith('node:'));
		assert.ok(outside.length > 0 && outside.every((spec) => spec.startsWith('../')), `packages left outside the bundle: ${outside.filter((spec) => !spec.startsWith('../')).join(', ')}`);
		for (const spec of outside) assert.ok(existsSync(join(DIST, 'tui', spec)), `${spec} (imported by the bundle) is not in dist/source`);
		assert.ok(!outside.some((spec) => spec.startsWith('../tui/')), 'the TUI\'s own modules are inside the bundle');
	});
});
