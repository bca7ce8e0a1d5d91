import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/detect/rule-types.js';
import { triage, verdictLabel } from '../../src/triage/verdict.js';

function finding(partial: Partial<Finding>): Finding {
  return {
    ruleId: 'aws-access-key-id', title: 't', category: 'credential', severity: 'high', confidence: 'high', path: 'infra/main.tf', line: 12, column: 1,
    fingerprint: 'f', secretHash: 'h', redacted: 'r', ...partial,
  };
}

describe('triage', () => {
  it('keeps a clean repo open, and says that history was not scanned', () => {
    expect(triage({ findings: [], notScanned: [], historyScanned: false })).toEqual({
      verdict: 'keep-open', reasons: ['HEAD only: history not scanned'],
    });
    expect(triage({ findings: [], notScanned: [], historyScanned: true })).toEqual({ verdict: 'keep-open', reasons: [] });
  });

  it('says a plain folder has no history here, rather than that its history was left unscanned', () => {
    expect(triage({ findings: [], notScanned: [], historyScanned: false, notGit: true })).toEqual({
      verdict: 'keep-open', reasons: ['not a git repository: the files on disk were scanned; any history lives elsewhere'],
    });
  });

  it('gives one reason per cause, naming rule, path and line', () => {
    const outcome = triage({
      findings: [
        finding({}),
        finding({ ruleId: 'github-token', path: '.env', line: 3 }),
        finding({ ruleId: 'pem-private-key', category: 'private-key', path: 'certs/a.key', line: 1 }),
      ],
      notScanned: [],
      historyScanned: true,
    });
    expect(outcome).toEqual({
      verdict: 'review-needed',
      reasons: ['2 credentials (aws-access-key-id in infra/main.tf:12, github-token in .env:3)', '1 private key (pem-private-key in certs/a.key:1)'],
    });
  });

  it('tells findings only history holds by the commit and path that introduced them, and what to do', () => {
    const commit = 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0';
    const outcome = triage({
      findings: [
        finding({ path: 'deploy.env', line: 1, commit, inHistoryOnly: true }),
        finding({ ruleId: 'nhs-number', category: 'personal-data', severity: 'medium', path: 'data/patients.csv', commit, inHistoryOnly: true }),
        finding({ ruleId: 'private-ipv4-in-config', category: 'infrastructure', severity: 'low', path: 'net.md', commit, inHistoryOnly: true }),
      ],
      notScanned: [],
      historyScanned: true,
    });
    expect(outcome.verdict).toBe('review-needed');
    expect(outcome.reasons).toEqual([
      'aws-access-key-id in history only (first seen in a1b2c3d4e5f6 deploy.env): revoke it; rewrite history before keeping this repo public',
      'nhs-number in history only (first seen in a1b2c3d4e5f6 data/patients.csv): rewrite history before keeping this repo public',
      'low severity, not counted: 1 infrastructure finding (private-ipv4-in-config in net.md:12)',
    ]);
  });

  it('labels a keep-open that did not scan history', () => {
    expect(verdictLabel('keep-open', false)).toBe('keep-open (HEAD only)');
    expect(verdictLabel('keep-open', true)).toBe('keep-open');
    expect(verdictLabel('review-needed', false)).toBe('review-needed');
    // A plain folder has no commit: only its files were read.
    expect(verdictLabel('keep-open', false, null)).toBe('keep-open (files only)');
    expect(verdictLabel('keep-open', false, 'a1b2c3d4')).toBe('keep-open (HEAD only)');
  });

  it('lists at most three places, then counts the rest', () => {
    const findings = [1, 2, 3, 4, 5].map((line) => finding({ line }));
    expect(triage({ findings, notScanned: [], historyScanned: true }).reasons[0]).toBe(
      '5 credentials (aws-access-key-id in infra/main.tf:1, aws-access-key-id in infra/main.tf:2, aws-access-key-id in infra/main.tf:3, and 2 more)',
    );
  });

  it('does not count low severity findings toward review-needed, but lists them', () => {
    const outcome = triage({
      findings: [finding({ ruleId: 'private-ipv4-in-config', category: 'infrastructure', severity: 'low', path: 'a.yaml', line: 2 })],
      notScanned: [],
      historyScanned: true,
    });
    expect(outcome).toEqual({
      verdict: 'keep-open',
      reasons: ['low severity, not counted: 1 infrastructure finding (private-ipv4-in-config in a.yaml:2)'],
    });
  });

  it('is error, never keep-open, when the scan did not complete, even with no findings', () => {
    expect(triage({ findings: [], notScanned: [], historyScanned: false, error: 'git object x is missing' })).toEqual({
      verdict: 'error', reasons: ['scan failed: git object x is missing'],
    });
  });

  it('says which files were not scanned, but not vendored folders excluded by policy', () => {
    const outcome = triage({
      findings: [],
      notScanned: [{ path: 'big.sql', reason: 'too-large' }, { path: 'lib', reason: 'submodule' }, { path: 'node_modules/', reason: 'excluded-path' }],
      historyScanned: true,
    });
    expect(outcome.reasons).toEqual(['not scanned: 2 files (1 too-large, 1 submodule: big.sql, lib)']);
  });
});

describe('triage of infrastructure maps', () => {
  it('tells a map per file, the biggest first', () => {
    const ip = (path: string, line: number) => ({ ruleId: 'private-ipv4-in-config', category: 'infrastructure' as const, severity: 'medium' as const, path, line });
    const findings = [ip('docs/network.md', 3), ip('docs/network.md', 4), ip('docs/network.md', 9), ip('hosts', 1)].map((p) => finding(p));
    expect(triage({ findings, notScanned: [], historyScanned: true })).toEqual({
      verdict: 'review-needed',
      reasons: ['infrastructure map: 3 private-ipv4-in-config in docs/network.md (lines 3, 4, 9)', 'infrastructure map: 1 private-ipv4-in-config in hosts (line 1)'],
    });
  });
});
