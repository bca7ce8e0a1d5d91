import { describe, expect, it } from 'vitest';
import { KeywordPrefilter } from '../../src/detect/keyword-prefilter.js';
import { prng } from '../../fixtures/build-fixture-repos.mjs';

/** The obvious, slow answer the automaton must agree with. */
function naive(keywords: string[], text: string): Set<number> {
  const lower = text.toLowerCase();
  return new Set(keywords.flatMap((k, i) => (lower.includes(k.toLowerCase()) ? [i] : [])));
}

describe('KeywordPrefilter', () => {
  it('finds keywords case-insensitively, including overlapping and nested ones', () => {
    const filter = new KeywordPrefilter(['AKIA', 'kia', 'password', 'pass', 'ssword=']);
    expect([...filter.matches('xxAkIaYY')].sort()).toEqual([0, 1]);
    expect([...filter.matches('PASSWORD=1')].sort()).toEqual([2, 3, 4]);
    expect(filter.matches('nothing here').size).toBe(0);
  });

  it('breaks a partial match on non-ASCII characters', () => {
    const filter = new KeywordPrefilter(['pass']);
    expect(filter.matches('pa\u00e9ss').size).toBe(0);
    expect(filter.matches('\u00e9pass\u00e9').size).toBe(1);
  });

  it('agrees with a naive search on random text', () => {
    const random = prng(42);
    const alphabet = 'abAB_-=. ';
    const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const keywords = Array.from({ length: 1 + Math.floor(random() * 6) }, () => word(1 + Math.floor(random() * 4)));
      const text = word(Math.floor(random() * 60));
      expect(new KeywordPrefilter(keywords).matches(text)).toEqual(naive(keywords, text));
    }
  });

  it('refuses keywords it cannot match', () => {
    expect(() => new KeywordPrefilter([''])).toThrow(/empty/);
    expect(() => new KeywordPrefilter(['caf\u00e9'])).toThrow(/not ASCII/);
  });
});
