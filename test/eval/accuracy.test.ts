import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/detect/rule-types.js';
import { scoreFindings, type Label } from '../../src/eval/accuracy.js';

const finding = (path: string, line: number, category: Finding['category'], ruleId = 'r'): Finding => ({
  ruleId, title: 't', category, severity: 'high', confidence: 'high', path, line, column: 1, fingerprint: 'f', secretHash: 'h', redacted: 'x',
});

describe('scoreFindings', () => {
  const labels: Label[] = [
    { path: 'a.env', line: 1, category: 'credential', kind: 'aws' },
    { path: 'a.env', line: 2, category: 'credential', kind: 'github' },
    { path: 'k.pem', line: 2, category: 'private-key', kind: 'rsa' },
  ];

  it('counts a labelled line once however many rules hit it, and scores per category', () => {
    const report = scoreFindings(labels, [
      finding('a.env', 1, 'credential', 'one'),
      finding('a.env', 1, 'credential', 'two'),
      finding('k.pem', 2, 'private-key'),
      finding('b.md', 7, 'credential', 'generic'),
    ]);
    const credential = report.categories.find((c) => c.category === 'credential')!;
    expect(credential).toMatchObject({ labels: 2, labelsFound: 1, recall: 0.5, reported: 2, reportedCorrectly: 1, precision: 0.5 });
    expect(report.categories.find((c) => c.category === 'private-key')).toMatchObject({ recall: 1, precision: 1 });
    expect(report.overall).toMatchObject({ labels: 3, labelsFound: 2, reported: 3, reportedCorrectly: 2 });
    expect(report.missed).toEqual([labels[1]]);
    expect(report.falsePositives).toEqual([{ path: 'b.md', line: 7, category: 'credential', ruleIds: ['generic'] }]);
  });

  it('counts low-severity notes toward recall but not precision, and reports them', () => {
    const low = (path: string, line: number): Finding => ({ ...finding(path, line, 'personal-data'), severity: 'low' });
    const report = scoreFindings([{ path: 'p.csv', line: 2, category: 'personal-data', kind: 'nhs' }], [low('p.csv', 2), low('t.py', 9)]);
    const pd = report.categories.find((c) => c.category === 'personal-data')!;
    expect(pd).toMatchObject({ labelsFound: 1, labelsFoundCounted: 0, reported: 0, precision: 1, lowNotesUnlabelled: 1 });
    expect(report.falsePositives).toEqual([]);
  });

  it('does not credit a finding of the wrong category on a labelled line', () => {
    const report = scoreFindings(labels, [finding('a.env', 1, 'infrastructure')]);
    expect(report.overall.labelsFound).toBe(0);
    expect(report.falsePositives).toHaveLength(1);
  });
});
