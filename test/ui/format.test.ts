import { describe, expect, it } from 'vitest';
import { count, duration, elideBefore, fit, fitPreview, rate } from '../../src/ui/format.js';

describe('format', () => {
  it('writes counts, durations and rates as people read them', () => {
    expect(count(12345)).toBe('12,345');
    expect([duration(0), duration(65_000), duration(3_723_000)]).toEqual(['0:00', '1:05', '1:02:03']);
    expect([rate(512_000), rate(3_400_000)]).toEqual(['512 kB/s', '3.4 MB/s']);
    expect([fit('abcdef', 4), fit('ab', 4, true)]).toEqual(['abc…', 'ab  ']);
  });

  it('shortens a preview by its stars, so both ends stay', () => {
    expect(fitPreview('AKIA****************WXYZ', 24)).toBe('AKIA****************WXYZ');
    expect(fitPreview('AKIA****************WXYZ', 14)).toBe('AKIA******WXYZ');
    expect(fitPreview('AKIA****************WXYZ', 9)).toBe('AKIA****…');
    expect(fitPreview('<binary, 1200 bytes>', 10)).toBe('<binary, …');
  });

  it('elides the middle of a long line so the part from just before the focus shows', () => {
    const line = `${'x'.repeat(70)}Password=SECR****ET";`;
    const shown = elideBefore(line, 79, 60);
    expect(shown.length).toBeLessThanOrEqual(60);
    expect(shown).toMatch(/^x+…x+Password=SECR\*{4}ET";$/);
    expect(elideBefore('short line', 2, 60)).toBe('short line');
    expect(elideBefore(`key=VALUE ${'y'.repeat(100)}`, 4, 60)).toBe(`key=VALUE ${'y'.repeat(100)}`);
  });
});
