import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Detector, DEFAULT_VENDORED_GLOBS } from '../detect/detector.js';
import type { Finding } from '../detect/rule-types.js';
import { openFolder } from '../fetch/folder-reader.js';
import { loadRules } from '../rules/load-rule-dirs.js';
import { scoreFindings, type AccuracyReport, type Label } from './accuracy.js';

/** Scans a labelled corpus folder (with labels.json at its root) the way `keepopen scan` reads a plain folder, and scores it. */
export async function evaluateCorpus(dir: string, extraRuleDirs: string[] = []): Promise<AccuracyReport> {
  const labels = JSON.parse(await readFile(join(dir, 'labels.json'), 'utf8')) as Label[];
  const detector = new Detector(loadRules(extraRuleDirs), { excludePaths: DEFAULT_VENDORED_GLOBS });
  const findings: Finding[] = [];
  for await (const entry of openFolder(dir, { excludePaths: [...DEFAULT_VENDORED_GLOBS, 'labels.json', 'README.md'] }).entries()) {
    if (entry.type === 'file') findings.push(...detector.scanBytes(entry.path, entry.bytes).findings);
  }
  return scoreFindings(labels, findings);
}
