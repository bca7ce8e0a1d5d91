import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeSecrets, makeRepo } from '../../../fixtures/build-fixture-repos.mjs';
import { Detector } from '../../../src/detect/detector.js';
import { loadRules } from '../../../src/rules/load-rule-dirs.js';
import { inProcessEngine } from '../../../src/scan/detection-engine.js';
import type { RepoResult } from '../../../src/scan/events.js';
import type { RepoTarget } from '../../../src/scan/repo-target.js';
import { runScan } from '../../../src/scan/run-scan.js';
import { discoverLocalRepos } from '../../../src/sources/local-paths.js';
import { InkProgressReporter } from '../../../src/ui/progress/ink-progress-reporter.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FakeTerminal } from '../helpers/fake-terminal.js';

describe('InkProgressReporter', () => {
  it('follows a real scan to its end: final figures on the terminal, failures as they happened', async () => {
    const root = tempDir();
    makeRepo(join(root, 'leaky'), [{ files: { 'ci.env': `AWS_ACCESS_KEY_ID=${fakeSecrets(9)['aws-access-key-id']}\n` } }]);
    makeRepo(join(root, 'clean'), [{ files: { 'a.txt': 'hello\n' } }]);
    makeRepo(join(root, 'broken.git'), [{ files: { 'b.txt': 'world\n' } }], { bare: true });
    rmSync(join(root, 'broken.git', 'objects'), { recursive: true, force: true });
    mkdirSync(join(root, 'broken.git', 'objects'));

    const terminal = new FakeTerminal(80, 24);
    const progress = new InkProgressReporter(terminal.asStream());
    const { summary } = await runScan({
      targets: discoverLocalRepos([root]),
      detection: inProcessEngine(new Detector(loadRules())),
      reporters: [progress],
      concurrency: 2,
      excludePaths: [],
      command: 'keepopen scan (test)',
    });
    expect(summary).toMatchObject({ repos: 3, keepOpen: 1, reviewNeeded: 1, error: 1 });
    const output = terminal.plain();
    expect(output).toMatch(/✗ error broken: git object [0-9a-f]{40} is missing/);
    expect(output).toMatch(/scanned  █{50,} 3\/3 100%/);
    expect(output).toContain('keep-open 1  review-needed 1  error 1  findings 1');
    expect(output).toMatch(/took \d+:\d\d/);
    expect(output).not.toContain(fakeSecrets(9)['aws-access-key-id']);
  });

  it('draws a few times a second however many events arrive, and never once per event', async () => {
    const terminal = new FakeTerminal(80, 24);
    const progress = new InkProgressReporter(terminal.asStream(), { intervalMs: 50 });
    const repo = (i: number): RepoTarget => ({ key: `k${i}`, name: `org/r${i}`, source: 's', kind: 'git-bare' });
    const result = (i: number): RepoResult => ({
      repo: repo(i), headCommit: null, verdict: 'keep-open', reasons: [], historyScanned: false, findings: [], notScanned: [],
      filesScanned: 10, bytesScanned: 1000, durationMs: 1,
    });
    progress.onScanStart();
    const started = Date.now();
    // 2,000 repos and 20,000 findings as fast as the hooks take them: 44,000 events.
    for (let i = 0; i < 2000; i++) progress.onRepoQueued();
    for (let i = 0; i < 2000; i++) {
      progress.onRepoStarted(repo(i));
      for (let f = 0; f < 10; f++) progress.onFinding();
      progress.onRepoFinished(result(i));
    }
    const hookMs = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await progress.onScanEnd();
    expect(hookMs).toBeLessThan(500);
    // One frame at the start, at most one per 50 ms tick, one at the end.
    expect(progress.framesDrawn).toBeGreaterThanOrEqual(2);
    expect(progress.framesDrawn).toBeLessThanOrEqual(2 + Math.ceil((Date.now() - started) / 50));
    expect(terminal.plain()).toContain('keep-open 2,000  review-needed 0  error 0  findings 20,000');
  });
});
