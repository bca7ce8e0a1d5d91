import { Detector } from './detector.js';
import { hashSecret } from './redact.js';
import type { CompiledRule } from './rule-types.js';

// Checks every rule against its own examples, as ESLint's RuleTester and
// Nosey Parker's `rules check` do. Pure: used by the test suite and `keepopen rules test`.

export const MIN_EXAMPLES = 2;
const DEFAULT_EXAMPLE_PATH = 'example.txt';

export interface RuleProblem {
  ruleId: string;
  source: string;
  message: string;
}

export function checkRule(rule: CompiledRule): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const { spec } = rule;
  const report = (message: string) => problems.push({ ruleId: spec.id, source: spec.source ?? '(inline)', message });
  // A detector holding this rule alone, with no path exclusions, so examples test the rule itself.
  const detector = new Detector([rule], { excludePaths: [] });

  if (spec.examples.length < MIN_EXAMPLES) report(`needs at least ${MIN_EXAMPLES} examples, has ${spec.examples.length}`);
  if (spec.negativeExamples.length < MIN_EXAMPLES) {
    report(`needs at least ${MIN_EXAMPLES} negativeExamples, has ${spec.negativeExamples.length}`);
  }
  spec.examples.forEach((example, i) => {
    const findings = detector.scanText(example.path ?? DEFAULT_EXAMPLE_PATH, example.text).findings;
    const wanted = hashSecret(example.secret);
    if (findings.length === 0) report(`examples[${i}] produced no finding`);
    else if (!findings.some((f) => f.secretHash === wanted)) {
      report(`examples[${i}] matched, but no finding extracted the expected secret (got ${findings.map((f) => f.redacted).join(', ')})`);
    }
  });
  spec.negativeExamples.forEach((negative, i) => {
    const findings = detector.scanText(negative.path ?? DEFAULT_EXAMPLE_PATH, negative.text).findings;
    if (findings.length > 0) {
      report(`negativeExamples[${i}] should match nothing but produced ${findings.length} finding(s) (${findings.map((f) => f.redacted).join(', ')})`);
    }
  });
  return problems;
}

export function checkRules(rules: readonly CompiledRule[]): RuleProblem[] {
  return rules.flatMap(checkRule);
}
