// `npm run eval`: generates the labelled corpus (fixtures/labelled) into a temp
// folder, scans it with the built keepopen, and prints recall and precision per
// category. `--holdout` uses the held-out corpus (fixtures/holdout) instead: it is
// for measuring only, never for tuning rules. `--details` lists every miss and
// false positive.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCorpus } from '../dist/src/eval/scan-corpus.js';
import { formatAccuracy } from '../dist/src/eval/accuracy.js';

process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const holdout = process.argv.includes('--holdout');
const generator = new URL(holdout ? '../fixtures/holdout/generate-holdout.mjs' : '../fixtures/labelled/generate-corpus.mjs', import.meta.url);
if (!existsSync(generator)) {
  process.stderr.write(`eval: ${generator.pathname} does not exist\n`);
  process.exit(2);
}
const { generateCorpus } = await import(generator.href);
const dir = mkdtempSync(join(tmpdir(), 'keepopen-eval-'));
try {
  generateCorpus(dir);
  const report = await evaluateCorpus(dir);
  process.stdout.write(`${holdout ? 'held-out corpus (fixtures/holdout)' : 'labelled corpus (fixtures/labelled)'}\n`);
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
