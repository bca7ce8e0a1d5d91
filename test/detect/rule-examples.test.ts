import { describe, expect, it } from 'vitest';
import { compileRules, parseRuleFile } from '../../src/detect/rule-compiler.js';
import { checkRule, MIN_EXAMPLES } from '../../src/detect/rule-tester.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';
import { acmeRuleFile } from '../helpers/acme-rule.js';

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

describe('the rule checker itself', () => {
  const ruleFile = (downgrade: string, exampleSeverity: string) =>
    acmeRuleFile({ id: 'acme-key', category: 'private-key', fields: downgrade, secondExample: `path: certs/localhost.key, severity: ${exampleSeverity}` });
  const DOWNGRADE = "    downgrade: { severity: low, paths: ['**/*localhost*'] }\n";

  it('checks an example\'s severity, so a downgrade (or escalation) that stops holding fails', () => {
    expect(checkRule(compileRules(parseRuleFile(ruleFile(DOWNGRADE, 'low'), 'acme.yaml'))[0]!)).toEqual([]);
    expect(checkRule(compileRules(parseRuleFile(ruleFile('', 'low'), 'acme.yaml'))[0]!).map((p) => p.message)).toEqual([
      'examples[1] should be low severity there but is high',
    ]);
  });

  it('refuses a downgrade without paths or with an unknown severity, naming the rule', () => {
    expect(() => parseRuleFile(ruleFile("    downgrade: { severity: low }\n", 'low'), 'acme.yaml')).toThrow(/acme-key.*downgrade.paths/);
    expect(() => parseRuleFile(ruleFile("    downgrade: { severity: none, paths: ['a'] }\n", 'low'), 'acme.yaml')).toThrow(/acme-key.*"downgrade" must be/);
  });
});
