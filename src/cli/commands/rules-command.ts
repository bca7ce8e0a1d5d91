import { checkRules } from '../../detect/rule-tester.js';
import { loadRules } from '../../rules/load-rule-dirs.js';

/** `keepopen rules list`: one line per rule. */
export function rulesListCommand(extraDirs: string[]): number {
  const rules = loadRules(extraDirs);
  for (const { spec } of rules) {
    process.stdout.write(`${spec.id}\t${spec.category}\t${spec.severity}\t${spec.title}\t${spec.source ?? ''}\n`);
  }
  const byCategory = new Map<string, number>();
  for (const { spec } of rules) byCategory.set(spec.category, (byCategory.get(spec.category) ?? 0) + 1);
  process.stdout.write(`${rules.length} rules (${[...byCategory].map(([c, n]) => `${c}: ${n}`).join(', ')})\n`);
  return 0;
}

/** `keepopen rules test`: every rule against its own examples; exit 1 when any fails. */
export function rulesTestCommand(extraDirs: string[]): number {
  const rules = loadRules(extraDirs);
  const problems = checkRules(rules);
  for (const p of problems) process.stdout.write(`FAIL ${p.ruleId} (${p.source}): ${p.message}\n`);
  const failed = new Set(problems.map((p) => p.ruleId)).size;
  process.stdout.write(`${rules.length - failed} passed, ${failed} failed\n`);
  return problems.length > 0 ? 1 : 0;
}
