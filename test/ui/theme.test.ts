import { describe, expect, it } from 'vitest';
import { themeFor } from '../../src/ui/theme.js';

// NO_COLOR (no-color.org): set and not empty means no colour. Chalk, which Ink
// colours with, does not read it, so the UI asks the theme for every colour.
// (The terminal test checks the escape codes a real terminal gets.)

describe('theme', () => {
  it('colours verdicts, severities and triage states', () => {
    const theme = themeFor({});
    expect(theme.colour).toBe(true);
    expect([theme.verdict('keep-open'), theme.verdict('review-needed'), theme.verdict('error')]).toEqual(['green', 'yellow', 'red']);
    expect(theme.severity('high')).toBe('red');
    expect(theme.triage('false-positive')).toBe('green');
  });

  it('has no colour at all under NO_COLOR, and colour when NO_COLOR is empty', () => {
    const none = themeFor({ NO_COLOR: '1' });
    expect(none.colour).toBe(false);
    expect([none.verdict('error'), none.severity('high'), none.triage('open'), none.accent, none.dim]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(themeFor({ NO_COLOR: '' }).colour).toBe(true);
  });
});
