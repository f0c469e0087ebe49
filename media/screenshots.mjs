#!/usr/bin/env node
/**
 * Real screenshots of the TUI for the README: runs the built netsleuth in tmux on the demo lab, drives it
 * with send-keys, captures each pane with its colours (capture-pane -e), and renders the cells to SVG.
 *
 *   npm run build && node media/screenshots.mjs            # writes media/tui-*.svg
 *   node media/screenshots.mjs --png                        # also PNGs, when rsvg-convert is installed
 *
 * Needs tmux. Nothing here is part of the product; it only refreshes the pictures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', 'bin', 'netsleuth.js');
const SOCKET = `netsleuth-media-${process.pid}`;
const COLUMNS = 100;
const ROWS = 30;

function tmux(...args) {
	const env = { ...process.env, TERM: 'xterm-256color' };
	// Ink draws nothing while it believes it runs in CI.
	delete env.CI;
	delete env.CONTINUOUS_INTEGRATION;
	delete env.TMUX;
	delete env.NO_COLOR;
	const result = spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
	if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
	return result.stdout;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small capture of the demo lab's traffic (made with the benchmark's frame builders, built by npm run build). */
async function demoCapture(file) {
	const g = await import(join(HERE, '..', 'dist', 'bench', 'capture-gen.js'));
	const node = '02:00:0d:4c:00:01';
	const peer = '02:00:0d:4c:00:03';
	const blocked = '02:00:0d:4c:00:07';
	const v4 = (src, dst, proto, body, mac = peer) => g.eth(node, mac, 0x0800, g.ipv4(src, dst, proto, body));
	const frames = [
		g.eth('ff:ff:ff:ff:ff:ff', peer, 0x0806, g.arp(1, peer, '172.16.6.24', '00:00:00:00:00:00', '172.16.6.251')),
		v4('172.16.6.24', '172.16.6.251', 6, g.tcp(40000, 80, new Uint8Array(0), { flags: 0x02, options: g.TCP_SYN_OPTIONS })),
		v4('172.16.6.24', '172.16.6.251', 6, g.tcp(40000, 80, Buffer.from('GET / HTTP/1.1\r\nHost: node0\r\n\r\n'), { flags: 0x18, seq: 1001, ack: 1 })),
		v4('10.2.67.113', '172.16.6.251', 6, g.tcp(51000, 22, new Uint8Array(0), { flags: 0x02, options: g.TCP_SYN_OPTIONS }), blocked),
		v4('172.16.6.24', '172.16.6.251', 1, g.icmpEcho(8, 7, 1)),
		v4('172.16.6.24', '172.16.6.251', 17, g.udp(53000, 53, g.dnsQuery(0x1a2b, 'kubernetes.default.svc.cluster.local', 1))),
		v4('172.16.6.24', '10.42.0.7', 6, g.tcp(41000, 443, new Uint8Array(0), { flags: 0x02 })),
		v4('10.2.67.113', '172.16.6.251', 6, g.tcp(51001, 22, new Uint8Array(0), { flags: 0x02 }), blocked),
	];
	writeFileSync(file, g.pcapFile(frames.map((data, i) => ({ sec: 1_764_000_000 + Math.floor(i / 3), nsec: (i * 137_000_000) % 1e9, data }))));
}

async function waitFor(text) {
	for (let i = 0; i < 200; i++) {
		if (tmux('capture-pane', '-p', '-t', 'shot').includes(text)) return;
		await sleep(50);
	}
	throw new Error(`the screen never showed "${text}"; it was:\n${tmux('capture-pane', '-p', '-t', 'shot')}`);
}

// ── ANSI (SGR) → cells ─────────────────────────────────────────────────────────────────────────────

const BASE16 = ['#1e1e1e', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5',
	'#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];
const FOREGROUND = '#d4d4d4';
const BACKGROUND = '#1e1e1e';

function colour256(n) {
	if (n < 16) return BASE16[n];
	if (n < 232) {
		const v = n - 16;
		const level = (x) => (x === 0 ? 0 : 55 + x * 40);
		return `rgb(${level(Math.floor(v / 36))},${level(Math.floor(v / 6) % 6)},${level(v % 6)})`;
	}
	const grey = 8 + (n - 232) * 10;
	return `rgb(${grey},${grey},${grey})`;
}

/** Reads capture-pane -e output into rows of styled cells. */
export function parseScreen(text, columns, rows) {
	const screen = [];
	let style = {};
	for (const line of text.split('\n').slice(0, rows)) {
		const cells = [];
		const pattern = /\x1b\[([0-9;:]*)m|([^\x1b])/gu;
		for (const match of line.matchAll(pattern)) {
			if (match[2] !== undefined) {
				if (cells.length < columns) cells.push({ char: match[2], ...style });
				continue;
			}
			const codes = (match[1] || '0').split(/[;:]/).map(Number);
			for (let i = 0; i < codes.length; i++) {
				const c = codes[i];
				if (c === 0) style = {};
				else if (c === 1) style = { ...style, bold: true };
				else if (c === 2) style = { ...style, dim: true };
				else if (c === 4) style = { ...style, underline: true };
				else if (c === 7) style = { ...style, inverse: true };
				else if (c === 22) style = { ...style, bold: false, dim: false };
				else if (c === 24) style = { ...style, underline: false };
				else if (c === 27) style = { ...style, inverse: false };
				else if (c >= 30 && c <= 37) style = { ...style, fg: BASE16[c - 30] };
				else if (c >= 90 && c <= 97) style = { ...style, fg: BASE16[c - 90 + 8] };
				else if (c >= 40 && c <= 47) style = { ...style, bg: BASE16[c - 40] };
				else if (c >= 100 && c <= 107) style = { ...style, bg: BASE16[c - 100 + 8] };
				else if (c === 39) style = { ...style, fg: undefined };
				else if (c === 49) style = { ...style, bg: undefined };
				else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
					style = { ...style, [c === 38 ? 'fg' : 'bg']: colour256(codes[i + 2]) };
					i += 2;
				} else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
					style = { ...style, [c === 38 ? 'fg' : 'bg']: `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})` };
					i += 4;
				}
			}
		}
		while (cells.length < columns) cells.push({ char: ' ', ...style, underline: false });
		screen.push(cells);
	}
	while (screen.length < rows) screen.push(Array.from({ length: columns }, () => ({ char: ' ' })));
	return screen;
}

const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Cells → SVG: one rect per background run, one text per style run, each pinned to its columns. */
export function toSvg(screen, title) {
	const cw = 8.4;
	const ch = 17;
	const pad = 12;
	const bar = 26;
	const width = Math.ceil(screen[0].length * cw + pad * 2);
	const height = Math.ceil(screen.length * ch + pad * 2 + bar);
	const out = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
		`<title>${escapeXml(title)}</title>`,
		`<rect width="${width}" height="${height}" rx="8" fill="${BACKGROUND}"/>`,
		`<rect width="${width}" height="${bar}" rx="8" fill="#2d2d2d"/><rect y="${bar - 8}" width="${width}" height="8" fill="#2d2d2d"/>`,
		...['#ff5f56', '#ffbd2e', '#27c93f'].map((c, i) => `<circle cx="${18 + i * 18}" cy="${bar / 2}" r="5.5" fill="${c}"/>`),
		`<text x="${width / 2}" y="${bar / 2 + 4}" fill="#9d9d9d" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" text-anchor="middle">${escapeXml(title)}</text>`,
		`<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14" xml:space="preserve">`,
	];
	screen.forEach((cells, row) => {
		const y = pad + bar + row * ch;
		const colours = cells.map((cell) => {
			const fg = cell.fg ?? FOREGROUND;
			const bg = cell.bg ?? BACKGROUND;
			return cell.inverse ? { fg: bg, bg: fg } : { fg, bg };
		});
		for (let start = 0; start < cells.length;) {
			let end = start + 1;
			while (end < cells.length && colours[end].bg === colours[start].bg) end++;
			if (colours[start].bg !== BACKGROUND) out.push(`<rect x="${(pad + start * cw).toFixed(1)}" y="${y}" width="${((end - start) * cw).toFixed(1)}" height="${ch}" fill="${colours[start].bg}"/>`);
			start = end;
		}
		const same = (a, b, i, j) => colours[i].fg === colours[j].fg && Boolean(a.bold) === Boolean(b.bold) && Boolean(a.dim) === Boolean(b.dim) && Boolean(a.underline) === Boolean(b.underline);
		for (let start = 0; start < cells.length;) {
			let end = start + 1;
			while (end < cells.length && same(cells[start], cells[end], start, end)) end++;
			const text = cells.slice(start, end).map((c) => c.char).join('');
			if (text.trim()) {
				const c = cells[start];
				const attributes = [
					`x="${(pad + start * cw).toFixed(1)}"`, `y="${y + ch - 4}"`, `textLength="${((end - start) * cw).toFixed(1)}"`, 'lengthAdjust="spacingAndGlyphs"',
					`fill="${colours[start].fg}"`, c.bold ? 'font-weight="bold"' : '', c.dim ? 'fill-opacity="0.6"' : '', c.underline ? 'text-decoration="underline"' : '',
				].filter(Boolean).join(' ');
				out.push(`<text ${attributes}>${escapeXml(text)}</text>`);
			}
			start = end;
		}
	});
	out.push('</g>', '</svg>');
	return `${out.join('\n')}\n`;
}

// ── the scenes ─────────────────────────────────────────────────────────────────────────────────────

async function shoot(name, title, png) {
	const text = tmux('capture-pane', '-e', '-p', '-t', 'shot');
	const file = join(HERE, `tui-${name}.svg`);
	writeFileSync(file, toSvg(parseScreen(text, COLUMNS, ROWS), title));
	process.stdout.write(`wrote ${file}\n`);
	if (png) {
		const result = spawnSync('rsvg-convert', ['-o', file.replace(/\.svg$/, '.png'), file]);
		if (result.status !== 0) process.stderr.write('rsvg-convert failed (apt-get install librsvg2-bin)\n');
	}
}

async function main() {
	const png = process.argv.includes('--png');
	tmux('new-session', '-d', '-s', 'shot', '-x', String(COLUMNS), '-y', String(ROWS), `node ${BIN} --demo reject-ip`);
	try {
		await waitFor('1 Trace');
		tmux('send-keys', '-t', 'shot', '-l', 'tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32');
		await sleep(300);
		tmux('send-keys', '-t', 'shot', 'Enter');
		await waitFor('REJECTED');
		tmux('send-keys', '-t', 'shot', 'Enter');
		await waitFor('▾ PREROUTING');
		await sleep(200);
		await shoot('trace', 'netsleuth --demo reject-ip — Trace', png);
		tmux('send-keys', '-t', 'shot', '2');
		await waitFor('iptables -t filter');
		await sleep(200);
		await shoot('rules', 'netsleuth --demo reject-ip — Rules', png);
		tmux('send-keys', '-t', 'shot', '3');
		await sleep(200);
		tmux('send-keys', '-t', 'shot', 'r');
		await sleep(200);
		tmux('send-keys', '-t', 'shot', '-l', '192.0.2.101');
		await sleep(200);
		tmux('send-keys', '-t', 'shot', 'Enter');
		await waitFor('via 172.16.6.24');
		await sleep(200);
		await shoot('routes', 'netsleuth --demo reject-ip — Routes', png);
		tmux('send-keys', '-t', 'shot', '1');
		await sleep(200);
		tmux('send-keys', '-t', 'shot', 'f');
		await waitFor('TCP flags');
		tmux('send-keys', '-t', 'shot', 'Down', 'Down', 'Down', 'Down', 'Down', 'C-u');
		await sleep(200);
		tmux('send-keys', '-t', 'shot', '-l', '99999');
		await waitFor('✗');
		await sleep(200);
		await shoot('form', 'netsleuth --demo reject-ip — the packet form', png);
		tmux('send-keys', '-t', 'shot', 'Escape');
		await sleep(300);
		tmux('send-keys', '-t', 'shot', 'q');
		// The session ends with netsleuth.
		await sleep(500);
		const dir = mkdtempSync(join(tmpdir(), 'netsleuth-media-'));
		try {
			const file = join(dir, 'node0.pcap');
			await demoCapture(file);
			tmux('new-session', '-d', '-s', 'shot', '-x', String(COLUMNS), '-y', String(ROWS), `node ${BIN} --demo reject-ip --pcap ${file}`);
			await waitFor('8 packets');
			tmux('send-keys', '-t', 'shot', 'r');
			await waitFor('replayed:');
			tmux('send-keys', '-t', 'shot', 'j', 'j', 'j');
			await waitFor('── packet 4');
			await sleep(200);
			await shoot('capture', 'netsleuth --demo reject-ip --pcap node0.pcap — Capture', png);
			tmux('send-keys', '-t', 'shot', 'q');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	} finally {
		await sleep(300);
		try {
			tmux('kill-server');
		} catch {
			// Already gone.
		}
	}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
