import { describe, expect, it } from 'vitest';
import { prng } from '../../fixtures/build-fixture-repos.mjs';
import type { CompiledRule } from '../../src/detect/rule-types.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';

// Every rule against 1 MB adversarial lines: repeated keyword prefixes, long runs of
// the base64 alphabet, digits, minified JS. A regex that backtracks badly takes
// seconds here; a linear one takes a few milliseconds. Limit: 150 ms per rule and input
// (a linear rule takes under 20 ms; the margin is for a 2-core CI machine running other
// test files at once, which is what the best-of-ten alone did not absorb).

const SIZE = 1_000_000;
const LIMIT_MS = 150;

function fill(unit: string): string {
  return unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
}

function randomRun(alphabet: string, seed: number): string {
  const random = prng(seed);
  let out = '';
  for (let i = 0; i < SIZE; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SHARED_INPUTS: Record<string, string> = {
  'one letter': fill('A'),
  'base64 alphabet': randomRun(BASE64, 1),
  'base64url and dots': randomRun(BASE64.replace('+/', '-_') + '.', 2),
  digits: randomRun('0123456789', 3),
  'digits and spaces': fill('943 476 5919 '),
  'dotted numbers': fill('10.1.'),
  hex: randomRun('0123456789abcdef', 4),
  'minified js': fill('var e=function(t,n){return t.a=n||"Zx9qR2mT7vB4",t};e.prototype.k="ab12CD34ef56GH78";'),
  'equals and quotes': fill('="'),
  'colons and slashes': fill('://:@'),
  dashes: fill('-----BEGIN '),
};

function timeRule(rule: CompiledRule, input: string): number {
  const regex = new RegExp(rule.regex!.source, rule.regex!.flags);
  const started = performance.now();
  let count = 0;
  for (let m = regex.exec(input); m !== null && count < 100_000; m = regex.exec(input)) {
    if (m[0].length === 0) regex.lastIndex++;
    count++;
  }
  return performance.now() - started;
}

const rules = loadRules().filter((r) => r.regex !== undefined);

describe('every rule runs in linear time on adversarial input', () => {
  for (const rule of rules) {
    it(rule.spec.id, () => {
      const inputs: Record<string, string> = { ...SHARED_INPUTS };
      for (const keyword of rule.spec.keywords.slice(0, 4)) {
        inputs[`repeated "${keyword}"`] = fill(keyword);
        inputs[`"${keyword}" then base64`] = fill(`${keyword}=${BASE64.slice(0, 40)}`);
        inputs[`"${keyword}" no gap`] = fill(`${keyword}${keyword.toUpperCase()}: "`);
      }
      const slow: string[] = [];
      for (const [name, input] of Object.entries(inputs)) {
        // The best of up to ten runs: the rule's own cost, not whatever else the
        // machine was doing (other test files run in parallel on both cores).
        let ms = timeRule(rule, input);
        for (let run = 1; run < 10 && ms > LIMIT_MS; run++) ms = Math.min(ms, timeRule(rule, input));
        if (ms > LIMIT_MS) slow.push(`${name}: ${ms.toFixed(0)} ms`);
      }
      expect(slow).toEqual([]);
    });
  }
});
