import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../fixtures/labelled/generate-corpus.mjs';
import { evaluateCorpus } from '../../src/eval/scan-corpus.js';
import { tempDir } from '../helpers/temp-dir.js';

// The accuracy bar on the labelled corpus (fixtures/labelled): per category, recall at
// least 0.97 and precision at least 0.95. `npm run eval --details` lists misses and false positives.

describe('accuracy on the labelled corpus', () => {
  it('meets recall 0.97 and precision 0.95 in every category', async () => {
    const dir = tempDir();
    generateCorpus(dir);
    const report = await evaluateCorpus(dir);
    const below = report.categories
      .filter((c) => c.recall < 0.97 || c.precision < 0.95)
      .map((c) => `${c.category}: recall ${c.recall.toFixed(3)}, precision ${c.precision.toFixed(3)}`);
    expect(below, `missed: ${report.missed.map((m) => `${m.path}:${m.line}`).join(', ')}; false positives: ${report.falsePositives.map((f) => `${f.ruleIds.join(',')} ${f.path}:${f.line}`).join(', ')}`).toEqual([]);
    expect(report.overall.labels).toBeGreaterThanOrEqual(400);
  }, 120_000);
});
