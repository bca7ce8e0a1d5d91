import { describe, expect, it } from 'vitest';
import { LineProgressReporter } from '../../../src/report/line-progress-reporter.js';
import { chooseProgressReporter } from '../../../src/ui/progress/choose-progress-reporter.js';
import { FailureLineReporter } from '../../../src/ui/progress/failure-line-reporter.js';
import { InkProgressReporter } from '../../../src/ui/progress/ink-progress-reporter.js';
import { FakeTerminal } from '../helpers/fake-terminal.js';

const tty = new FakeTerminal().asStream();
const pipe = Object.assign(new FakeTerminal(), { isTTY: false }).asStream();

describe('chooseProgressReporter', () => {
  it('draws the live view on a terminal', async () => {
    expect(await chooseProgressReporter({ quiet: false, progress: true, stream: tty, env: {} })).toBeInstanceOf(InkProgressReporter);
  });

  it('writes plain lines, one per repo, to a pipe, in CI, on a dumb terminal, and with --no-progress', async () => {
    expect(await chooseProgressReporter({ quiet: false, progress: true, stream: pipe, env: {} })).toBeInstanceOf(LineProgressReporter);
    expect(await chooseProgressReporter({ quiet: false, progress: true, stream: tty, env: { CI: 'true' } })).toBeInstanceOf(LineProgressReporter);
    expect(await chooseProgressReporter({ quiet: false, progress: true, stream: tty, env: { TERM: 'dumb' } })).toBeInstanceOf(LineProgressReporter);
    expect(await chooseProgressReporter({ quiet: false, progress: false, stream: tty, env: {} })).toBeInstanceOf(LineProgressReporter);
    expect(await chooseProgressReporter({ quiet: false, progress: true, stream: tty, env: { CI: 'false' } })).toBeInstanceOf(InkProgressReporter);
  });

  it('says nothing but failures with --quiet, even on a terminal', async () => {
    const terminal = new FakeTerminal();
    const quiet = await chooseProgressReporter({ quiet: true, progress: true, stream: terminal.asStream(), env: {} });
    expect(quiet).toBeInstanceOf(FailureLineReporter);
    quiet.onRepoFinished?.({ repo: { key: 'a', name: 'good', source: 's', kind: 'folder' } } as never);
    quiet.onRepoFailed?.({ repo: { key: 'b', name: 'broken', source: 's', kind: 'folder' }, error: 'clone failed: HTTP 500', reasons: [] } as never);
    expect(terminal.written).toBe('keepopen: error broken: clone failed: HTTP 500\n');
  });
});
