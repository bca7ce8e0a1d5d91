import { CATEGORIES, type Category, type Finding, type Severity } from '../detect/rule-types.js';

const COUNTED: ReadonlySet<Severity> = new Set(['high', 'medium']);

// Recall and precision of findings against a labelled corpus. A finding is right
// when a label has the same path, line and category; several findings on one
// labelled line count once.
//
// Recall counts a label found by a finding of any severity (it is reported).
// Precision is over the findings that count toward a verdict (high and medium):
// those are what send a person to look. Low-severity notes (a 999-range test NHS
// number, an account id) never change a verdict; how many of them fall on
// unlabelled lines is reported beside, not hidden. Pure.

export interface Label {
  path: string;
  line: number;
  category: Category;
  kind: string;
}

export interface CategoryScore {
  category: Category;
  labels: number;
  labelsFound: number;
  recall: number;
  /** Labels found by a finding that counts toward a verdict (high or medium). */
  labelsFoundCounted: number;
  /** Distinct (path, line) places where the category was reported at high or medium severity. */
  reported: number;
  reportedCorrectly: number;
  precision: number;
  /** Low-severity places on unlabelled lines (notes, not counted in precision). */
  lowNotesUnlabelled: number;
}

export interface AccuracyReport {
  categories: CategoryScore[];
  overall: Omit<CategoryScore, 'category'>;
  missed: Label[];
  falsePositives: { path: string; line: number; category: Category; ruleIds: string[] }[];
}

const key = (path: string, line: number, category: string) => `${category}\u0000${path}\u0000${line}`;

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 1 : numerator / denominator;
}

export function scoreFindings(labels: readonly Label[], findings: readonly Finding[]): AccuracyReport {
  const labelKeys = new Map(labels.map((l) => [key(l.path, l.line, l.category), l]));
  type Place = { path: string; line: number; category: Category; ruleIds: Set<string> };
  const collect = (list: readonly Finding[]) => {
    const places = new Map<string, Place>();
    for (const f of list) {
      const k = key(f.path, f.line, f.category);
      const place = places.get(k) ?? { path: f.path, line: f.line, category: f.category, ruleIds: new Set<string>() };
      place.ruleIds.add(f.ruleId);
      places.set(k, place);
    }
    return places;
  };
  const anySeverity = collect(findings);
  const reported = collect(findings.filter((f) => COUNTED.has(f.severity)));
  const lowOnly = [...anySeverity.entries()].filter(([k]) => !reported.has(k));
  const categories = CATEGORIES.map((category): CategoryScore => {
    const mine = labels.filter((l) => l.category === category);
    const labelsFound = mine.filter((l) => anySeverity.has(key(l.path, l.line, l.category))).length;
    const labelsFoundCounted = mine.filter((l) => reported.has(key(l.path, l.line, l.category))).length;
    const places = [...reported.entries()].filter(([, p]) => p.category === category);
    const reportedCorrectly = places.filter(([k]) => labelKeys.has(k)).length;
    const lowNotesUnlabelled = lowOnly.filter(([k, p]) => p.category === category && !labelKeys.has(k)).length;
    return {
      category, labels: mine.length, labelsFound, recall: ratio(labelsFound, mine.length), labelsFoundCounted,
      reported: places.length, reportedCorrectly, precision: ratio(reportedCorrectly, places.length), lowNotesUnlabelled,
    };
  });
  const sum = (pick: (c: CategoryScore) => number) => categories.reduce((n, c) => n + pick(c), 0);
  const overall = {
    labels: sum((c) => c.labels), labelsFound: sum((c) => c.labelsFound), recall: ratio(sum((c) => c.labelsFound), sum((c) => c.labels)),
    labelsFoundCounted: sum((c) => c.labelsFoundCounted),
    reported: sum((c) => c.reported), reportedCorrectly: sum((c) => c.reportedCorrectly),
    precision: ratio(sum((c) => c.reportedCorrectly), sum((c) => c.reported)),
    lowNotesUnlabelled: sum((c) => c.lowNotesUnlabelled),
  };
  return {
    categories,
    overall,
    missed: labels.filter((l) => !anySeverity.has(key(l.path, l.line, l.category))),
    falsePositives: [...reported.entries()].filter(([k]) => !labelKeys.has(k)).map(([, p]) => ({ ...p, ruleIds: [...p.ruleIds].sort() })),
  };
}

export function formatAccuracy(report: AccuracyReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
  const rows = [
    `${'category'.padEnd(15)} ${'labels'.padStart(6)} ${'found'.padStart(6)} ${'recall'.padStart(7)} ${'flagged'.padStart(8)} ${'correct'.padStart(7)} ${'precision'.padStart(9)} ${'low notes'.padStart(9)}`,
    ...[...report.categories, { category: 'overall', ...report.overall }].map(
      (c) => `${c.category.padEnd(15)} ${String(c.labels).padStart(6)} ${String(c.labelsFound).padStart(6)} ${pct(c.recall)} ${String(c.reported).padStart(8)} ${String(c.reportedCorrectly).padStart(7)} ${pct(c.precision).padStart(9)} ${String(c.lowNotesUnlabelled).padStart(9)}`,
    ),
    '',
    'found: labels reported at any severity. flagged: places reported at high or medium severity (what makes a',
    'repo review-needed); precision is over those. low notes: low-severity places on unlabelled lines (not counted).',
  ];
  return rows.join('\n') + '\n';
}
