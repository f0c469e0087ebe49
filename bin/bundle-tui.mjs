// The TUI as one file (dist/source/tui/run.bundle.js), built by `npm run build` after tsc: loading ink and
// React from node_modules is hundreds of small files, about two seconds of module resolution on a busy
// two-core machine; one file loads in a fraction of that. Bundled: tsc's output for source/tui/ and the
// packages it imports (ink, React). Left out, imported from dist/source/ as before: the engine and the
// commands, so that the TUI shares their modules (classes, errors) with the CLI that loaded it.
import { build } from 'esbuild';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'source');
const TUI = join(DIST, 'tui');

/** Relative imports outside dist/source/tui/ stay imports, rewritten relative to the bundle. */
const engineOutside = {
	name: 'engine-outside',
	setup(b) {
		b.onResolve({ filter: /^\.\.?\// }, (args) => {
			const target = resolve(args.resolveDir, args.path);
			if (target.startsWith(TUI + sep)) return undefined;
			if (!target.startsWith(DIST + sep)) return undefined;
			// Outside tui/, the path from the bundle starts with ../.
			return { path: relative(TUI, target).split(sep).join('/'), external: true };
		});
	},
};

/** Ink imports react-devtools-core (not installed) only when DEV=true: then it says so. */
const noDevtools = {
	name: 'no-devtools',
	setup(b) {
		b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'no-devtools' }));
		b.onLoad({ filter: /.*/, namespace: 'no-devtools' }, () => ({ contents: "throw new Error('DEV=true needs react-devtools-core, which netsleuth does not install');", loader: 'js' }));
	},
};

await build({
	entryPoints: [join(TUI, 'run.js')],
	outfile: join(TUI, 'run.bundle.js'),
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	// React's production build (the TUI sets NODE_ENV=production too); the development one checks every render.
	define: { 'process.env.NODE_ENV': '"production"' },
	// CommonJS packages (React) call require(): give the ES module one.
	banner: { js: "import { createRequire as __netsleuthRequire } from 'node:module'; const require = __netsleuthRequire(import.meta.url);" },
	minifyWhitespace: true,
	minifySyntax: true,
	legalComments: 'none',
	logLevel: 'warning',
	plugins: [engineOutside, noDevtools],
});
