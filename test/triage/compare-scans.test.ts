import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/detect/rule-types.js';
import { compareFindings, fixedReason } from '../../src/triage/compare-scans.js';

const f = (fingerprint: string, path: string, line: number): Finding => ({
  ruleId: `rule-${fingerprint}`, title: 't', category: 'credential', severity: 'high', confidence: 'high', path, line, column: 1,
  fingerprint, secretHash: 'h', redacted: 'r',
});

describe('compareFindings', () => {
  it('tells fixed, still present, moved and new apart by fingerprint', () => {
    const changes = compareFindings(
      [f('a', 'x.env', 1), f('b', 'y.tf', 3), f('c', 'z.py', 9), f('d', 'd.yml', 2)],
      [f('a', 'x.env', 1), f('b', 'y.tf', 7), f('c', 'renamed.py', 9), f('e', 'new.env', 1)],
    );
    expect(changes.stillPresent.map((p) => p.fingerprint)).toEqual(['a']);
    expect(changes.moved).toEqual([
      { fingerprint: 'c', ruleId: 'rule-c', path: 'renamed.py', line: 9, from: { path: 'z.py', line: 9 } },
      { fingerprint: 'b', ruleId: 'rule-b', path: 'y.tf', line: 7, from: { path: 'y.tf', line: 3 } },
    ]);
    expect(changes.fixed.map((p) => p.fingerprint)).toEqual(['d']);
    expect(changes.new.map((p) => p.fingerprint)).toEqual(['e']);
  });

  it('counts copies of one secret: a removed copy is fixed, an added one new', () => {
    const changes = compareFindings([f('a', 'one', 1), f('a', 'two', 1)], [f('a', 'one', 1), f('a', 'three', 1), f('a', 'four', 1)]);
    expect(changes.stillPresent).toHaveLength(1);
    expect(changes.moved).toHaveLength(1);
    expect(changes.new).toHaveLength(1);
    expect(changes.fixed).toHaveLength(0);
  });

  it('says plainly that a fix at HEAD leaves the secret in history', () => {
    expect(fixedReason([{ fingerprint: 'a', ruleId: 'aws-access-key-id', path: 'a.tf', line: 3 }], false)).toBe(
      '1 finding fixed since the last scan (aws-access-key-id in a.tf:3): removed at HEAD but still in git history; revoke the credential, and rewrite history if this repo stays public',
    );
    expect(fixedReason([], false)).toBeUndefined();
  });
});
