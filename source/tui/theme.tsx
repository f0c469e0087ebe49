import { createContext, useContext } from 'react';
import type { TextProps } from 'ink';
import type { Mark, Tone } from './rows.js';

/** Colour is a theme: with NO_COLOR (or a plain terminal) only bold, dim, underline and inverse remain. */
export interface Theme {
	readonly colour: boolean;
}

export const ThemeContext = createContext<Theme>({ colour: true });

export function useTheme(): Theme {
	return useContext(ThemeContext);
}

type Style = Pick<TextProps, 'color' | 'backgroundColor' | 'bold' | 'dimColor' | 'underline' | 'inverse'>;

const COLOUR: Readonly<Record<Tone, Style>> = {
	normal: {},
	heading: { bold: true, color: 'cyan' },
	subheading: { bold: true },
	columns: { dimColor: true },
	dim: { dimColor: true },
	good: { bold: true, color: 'green' },
	bad: { bold: true, color: 'red' },
	warn: { color: 'yellow' },
	accent: { color: 'cyan' },
	match: { color: 'green' },
	miss: { dimColor: true },
	decider: { bold: true, color: 'yellow' },
};

const PLAIN: Readonly<Record<Tone, Style>> = {
	normal: {},
	heading: { bold: true },
	subheading: { bold: true },
	columns: { dimColor: true },
	dim: { dimColor: true },
	good: { bold: true },
	bad: { bold: true },
	warn: {},
	accent: {},
	match: {},
	miss: { dimColor: true },
	decider: { bold: true, underline: true },
};

export function toneStyle(theme: Theme, tone: Tone): Style {
	return (theme.colour ? COLOUR : PLAIN)[tone];
}

export function markStyle(theme: Theme, mark: Exclude<Mark, undefined>): Style {
	if (!theme.colour) return mark === 'walked' ? { dimColor: true } : { bold: true };
	switch (mark) {
		case 'decider': case 'chosen': return { bold: true, color: 'yellow' };
		case 'hit': return { color: 'green' };
		case 'walked': return { dimColor: true };
		default: return { color: 'cyan' };
	}
}

/** A search match inside a row. */
export function matchStyle(theme: Theme): Style {
	return theme.colour ? { backgroundColor: 'yellow', color: 'black' } : { underline: true };
}
