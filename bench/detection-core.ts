import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { Detector } from '../src/detect/detector.js';
import { loadRules } from '../src/rules/load-rule-dirs.js';

// Detection core throughput: every file of the corpus through the pure core, full
// rule set, one thread. Files are read first so only detection is timed.

export interface CoreFigures {
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  findings: number;
}

export function benchDetectionCore(dir: string): CoreFigures {
  const detector = new Detector(loadRules());
  const paths = fg.sync('**/*', { cwd: dir, dot: true, onlyFiles: true }).sort();
  const files = paths.map((p) => ({ path: p.split('/').slice(1).join('/'), bytes: readFileSync(join(dir, p)) }));
  const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
  // One warm-up pass over a slice so the JIT has seen every rule.
  for (const f of files.slice(0, 200)) detector.scanBytes(f.path, f.bytes);
  let findings = 0;
  const started = performance.now();
  for (const f of files) findings += detector.scanBytes(f.path, f.bytes).findings.length;
  const seconds = (performance.now() - started) / 1000;
  return { bytes, seconds, mbPerSecond: bytes / 1e6 / seconds, findings };
}
