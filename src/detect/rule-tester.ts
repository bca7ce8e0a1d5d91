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

/** Scans an example as the engine would scan a file: bytes for hex examples, text otherwise. Suppressed findings still count. */
function scanExample(detector: Detector, example: { text: string; hex?: string; path?: string }) {
  const path = example.path ?? DEFAULT_EXAMPLE_PATH;
  if (example.hex !== undefined) return detector.scanBytes(path, Buffer.from(example.hex, 'hex')).findings;
  return detector.scanText(path, example.text).findings;
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
    const findings = scanExample(detector, example);
    if (findings.length === 0) report(`examples[${i}] produced no finding`);
    else if (example.secret === undefined) {
      if (example.hex === undefined) report(`examples[${i}] needs "secret" (or "hex" for a signature rule)`);
    } else if (!findings.some((f) => f.secretHash === hashSecret(example.secret!))) {
      report(`examples[${i}] matched, but no finding extracted the expected secret (got ${findings.map((f) => f.redacted).join(', ')})`);
    }
    const severities = findings.map((f) => f.severity);
    if (example.severity !== undefined && findings.length > 0 && !severities.includes(example.severity)) {
      report(`examples[${i}] should be ${example.severity} severity there but is ${[...new Set(severities)].join(', ')}`);
    }
  });
  spec.negativeExamples.forEach((negative, i) => {
    const findings = scanExample(detector, negative);
    if (findings.length > 0) {
      report(`negativeExamples[${i}] should match nothing but produced ${findings.length} finding(s) (${findings.map((f) => f.redacted).join(', ')})`);
    }
  });
  return problems;
}

export function checkRules(rules: readonly CompiledRule[]): RuleProblem[] {
  return rules.flatMap(checkRule);
}
