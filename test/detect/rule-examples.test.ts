import { describe, expect, it } from 'vitest';
import { checkRule, MIN_EXAMPLES } from '../../src/detect/rule-tester.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';

// Every shipped rule against its own examples (RuleTester style): a rule whose
// positive example stops matching, or whose negative example starts matching, fails here.
const rules = loadRules();

describe('shipped rules', () => {
  it('has unique ids', () => {
    const ids = rules.map((r) => r.spec.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const rule of rules) {
    it(`${rule.spec.id} passes its examples`, () => {
      expect(rule.spec.examples.length).toBeGreaterThanOrEqual(MIN_EXAMPLES);
      expect(rule.spec.negativeExamples.length).toBeGreaterThanOrEqual(MIN_EXAMPLES);
      expect(checkRule(rule)).toEqual([]);
    });
  }
});
