import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// keepopen's own repository holds fake secrets on purpose (rule examples, tests, the
// labelled corpora). Scanned by itself it must come out keep-open through its own
// allowlist (.keepopen.yaml), with what it suppressed listed; and --strict, which
// ignores a repo's own allowlist, must still see those fakes (the allowlist hides them,
// detection does not miss them). Reads the committed HEAD, as a scan of any repo does.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Report {
  repos: { name: string; verdict: string; reasons: string[] }[];
  findings: { path: string; line: number; ruleId: string; severity: string; suppressedBy: { marker: string } | null }[];
}

describe('keepopen scanning its own repository', () => {
  it('is keep-open through its own allowlist, and every finding it suppressed is under an allowlisted folder', () => {
    const result = runCli(['scan', ROOT, '--format', 'json', '--no-progress', '--db', join(tempDir(), 'self.db')]);
    expect(result.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    const report = JSON.parse(result.stdout) as Report;
    const repo = report.repos[0]!;
    // Low-severity notes (an example internal domain in the README's policy sample) do not count.
    const counted = report.findings.filter((f) => f.suppressedBy === null && f.severity !== 'low');
    // Named in the failure message: what would have to be fixed or allowlisted.
    expect(counted.map((f) => `${f.path}:${f.line} ${f.ruleId}`)).toEqual([]);
    expect(repo.verdict).toBe('keep-open');
    expect(result.status).toBe(0);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings.filter((f) => f.suppressedBy !== null)) expect(finding.path).toMatch(/^(patterns|test|fixtures)\//);
    expect(repo.reasons.some((r) => /suppressed/.test(r))).toBe(true);

    const strict = JSON.parse(runCli(['scan', ROOT, '--strict', '--format', 'json', '--no-progress', '--db', join(tempDir(), 'strict.db')]).stdout) as Report;
    expect(strict.repos[0]!.verdict).toBe('review-needed');
  }, 120_000);
});
