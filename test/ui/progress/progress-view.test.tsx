import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { ProgressSnapshot } from '../../../src/ui/progress/progress-tracker.js';
import { ProgressView } from '../../../src/ui/progress/progress-view.js';

const NOW = 1_000_000;

function snapshot(overrides: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    total: 1200, done: 300, keepOpen: 250, reviewNeeded: 45, error: 5, skipped: 3, unchanged: 20, findings: 812, bytes: 3e9,
    inFlight: [
      { name: 'nhsdigital/nhs-notify', startedAt: NOW - 12_000 },
      { name: 'nhsdigital/a-service-with-a-really-long-name-that-goes-on-and-on-and-on-past-the-edge', startedAt: NOW - 3_000 },
    ],
    failures: [{ name: 'nhsdigital/broken', reason: 'clone failed: HTTP 500 from the server' }],
    elapsedMs: 600_000, reposPerMinute: 30, bytesPerSecond: 5e6, etaMs: 1_800_000, finished: false,
    ...overrides,
  };
}

describe('progress view', () => {
  it('shows the bar, repos done of total, throughput, ETA, verdicts so far, repos in flight and failures, in 80 columns', () => {
    const ui = render(<ProgressView snapshot={snapshot()} columns={80} now={NOW} />);
    const lines = ui.lastFrame()!.split('\n');
    expect(lines[0]).toBe('✗ error nhsdigital/broken: clone failed: HTTP 500 from the server');
    expect(lines[1]).toMatch(/^scanning █{14,}░+ 300\/1,200  25%$/);
    expect(lines[2]).toBe('30.0 repos/min · 5.0 MB/s · elapsed 10:00 · ETA 30:00');
    expect(lines[3]).toBe('keep-open 250  review-needed 45  error 5  findings 812  unchanged 20  skipped 3');
    expect(lines[4]).toBe('in flight (2):');
    expect(lines[5]).toMatch(/^ {2}nhsdigital\/nhs-notify\s+0:12$/);
    expect(lines[6]).toMatch(/^ {2}nhsdigital\/a-service-with-a-really-long-name.*…\s+0:03$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    ui.unmount();
  });

  it('lists at most six repos in flight, and the rest as a count', () => {
    const inFlight = Array.from({ length: 9 }, (_, i) => ({ name: `org/r${i}`, startedAt: NOW }));
    const ui = render(<ProgressView snapshot={snapshot({ inFlight, failures: [] })} columns={80} now={NOW} />);
    const frame = ui.lastFrame()!;
    expect(frame).toContain('in flight (9):');
    expect(frame).toContain('org/r5');
    expect(frame).not.toContain('org/r6');
    expect(frame).toContain('  and 3 more');
    ui.unmount();
  });

  it('says how long it took when finished, and drops the repos in flight', () => {
    const ui = render(<ProgressView snapshot={snapshot({ done: 1200, finished: true, inFlight: [], etaMs: 0, elapsedMs: 2_400_000 })} columns={80} now={NOW} />);
    const frame = ui.lastFrame()!;
    expect(frame).toMatch(/scanned  █+ 1,200\/1,200 100%/);
    expect(frame).toContain('took 40:00');
    expect(frame).not.toContain('ETA');
    expect(frame).not.toContain('in flight');
    ui.unmount();
  });

  it('shows no ETA before the first repo is done', () => {
    const ui = render(<ProgressView snapshot={snapshot({ done: 0, etaMs: undefined, reposPerMinute: 0 })} columns={80} now={NOW} />);
    expect(ui.lastFrame()).toContain('ETA --:--');
    ui.unmount();
  });
});
