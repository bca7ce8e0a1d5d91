// `npm run eval`: generates the labelled corpus (fixtures/labelled) into a temp
// folder, scans it with the built keepopen, and prints recall and precision per
// category. `--details` also lists every miss and false positive.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from '../fixtures/labelled/generate-corpus.mjs';
import { evaluateCorpus } from '../dist/src/eval/scan-corpus.js';
import { formatAccuracy } from '../dist/src/eval/accuracy.js';

process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const dir = mkdtempSync(join(tmpdir(), 'keepopen-eval-'));
try {
  generateCorpus(dir);
  const report = await evaluateCorpus(dir);
  process.stdout.write(formatAccuracy(report));
  if (process.argv.includes('--details')) {
    for (const m of report.missed) process.stdout.write(`MISSED ${m.category} ${m.kind} ${m.path}:${m.line}\n`);
    for (const f of report.falsePositives) process.stdout.write(`FALSE POSITIVE ${f.category} ${f.ruleIds.join(',')} ${f.path}:${f.line}\n`);
  } else {
    process.stdout.write(`${report.missed.length} missed, ${report.falsePositives.length} false positives (--details lists them)\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
