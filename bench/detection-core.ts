import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { Detector } from '../src/detect/detector.js';
import { loadRules } from '../src/rules/load-rule-dirs.js';

// Detection core throughput: every file of the corpus through the pure core, full
// rule set, one thread. Files are read first so only detection is timed; the best of
// several passes is kept (the machine may be shared), and each pass's CPU time is
// recorded beside its wall time. Interleaved with the passes, the machine's own yardstick
// in the same run: one anchored literal-prefix regex over the same text (the issue's
// "about 1.6 GB/s in V8 on this machine"), so runs on a busy machine can be compared.

export interface CoreFigures {
  bytes: number;
  /** The best pass. */
  seconds: number;
  mbPerSecond: number;
  /** Every pass: wall seconds and this thread's CPU seconds. */
  passes: { seconds: number; cpuSeconds: number; mbPerSecond: number }[];
  findings: number;
  /** One anchored literal-prefix regex (/AKIA[0-9A-Z]{16}/g) over the decoded corpus: best MB/s, and the core as a share of it. */
  literalRegex: { mbPerSecond: number; coreShare: number };
  /**
   * Memory: resident set once the corpus is loaded (it is held in memory, as bytes and as
   * text, for the timing), and the most it grew above that while the core ran (sampled
   * between passes, so nothing is measured inside the timed loop).
   */
  rss: { withCorpusMB: number; growthMB: number };
}

export function benchDetectionCore(dir: string, runs = 3): CoreFigures {
  const detector = new Detector(loadRules());
  const paths = fg.sync('**/*', { cwd: dir, dot: true, onlyFiles: true }).sort();
  const files = paths.map((p) => ({ path: p.split('/').slice(1).join('/'), bytes: readFileSync(join(dir, p)) }));
  const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
  // One warm-up pass over a slice so the JIT has seen every rule.
  for (const f of files.slice(0, 200)) detector.scanBytes(f.path, f.bytes);
  let findings = 0;
  const passes: CoreFigures['passes'] = [];
  const texts = files.map((f) => f.bytes.toString('utf8'));
  const literal = /AKIA[0-9A-Z]{16}/g;
  let literalSeconds = Infinity;
  const rssLoaded = process.memoryUsage.rss();
  let rssPeak = rssLoaded;
  for (let run = 0; run < Math.max(1, runs); run++) {
    const regexStarted = performance.now();
    for (const text of texts) {
      literal.lastIndex = 0;
      while (literal.exec(text) !== null);
    }
    literalSeconds = Math.min(literalSeconds, (performance.now() - regexStarted) / 1000);
    findings = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const f of files) findings += detector.scanBytes(f.path, f.bytes).findings.length;
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    passes.push({ seconds, cpuSeconds: (used.user + used.system) / 1e6, mbPerSecond: bytes / 1e6 / seconds });
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }
  const seconds = Math.min(...passes.map((p) => p.seconds));
  const literalRegex = { mbPerSecond: bytes / 1e6 / literalSeconds, coreShare: literalSeconds / seconds };
  const rss = { withCorpusMB: rssLoaded / 1024 / 1024, growthMB: (rssPeak - rssLoaded) / 1024 / 1024 };
  return { bytes, seconds, mbPerSecond: bytes / 1e6 / seconds, passes, findings, literalRegex, rss };
}
