import { createContext, useContext } from 'react';

// Colours for the terminal UI, or none. NO_COLOR (https://no-color.org: set and not
// empty) means no colour codes at all; chalk, which Ink colours with, does not read
// it, so the UI asks the theme for every colour and gets undefined under NO_COLOR.

type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'gray' | 'magenta';

export interface Theme {
  readonly colour: boolean;
  /** The colour of a verdict (keep-open green, review-needed yellow, error red). */
  verdict(verdict: string): Colour | undefined;
  /** The colour of a severity. */
  severity(severity: string): Colour | undefined;
  /** The colour of a triage state. */
  triage(status: string): Colour | undefined;
  /** Headings and the selection marker. */
  accent: Colour | undefined;
  /** Less important text (hints, counts of nothing). */
  dim: Colour | undefined;
}

const VERDICT: Record<string, Colour> = { 'keep-open': 'green', 'review-needed': 'yellow', error: 'red' };
const SEVERITY: Record<string, Colour> = { high: 'red', medium: 'yellow', low: 'gray' };
const TRIAGE: Record<string, Colour> = { open: 'yellow', 'false-positive': 'green', 'accepted-risk': 'cyan', revoked: 'magenta' };

export function noColourRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

export function themeFor(env: NodeJS.ProcessEnv = process.env): Theme {
  const colour = !noColourRequested(env);
  const pick = (table: Record<string, Colour>) => (key: string) => (colour ? table[key] : undefined);
  return {
    colour,
    verdict: pick(VERDICT),
    severity: pick(SEVERITY),
    triage: pick(TRIAGE),
    accent: colour ? 'cyan' : undefined,
    dim: colour ? 'gray' : undefined,
  };
}

export const ThemeContext = createContext<Theme>(themeFor());

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
