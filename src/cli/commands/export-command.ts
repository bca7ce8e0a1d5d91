import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
import { renderCsv } from '../../report/export/csv-export.js';
import { renderJsonExport } from '../../report/export/json-export.js';
import { renderMarkdown } from '../../report/export/markdown-export.js';
import { renderSarif } from '../../report/export/sarif-export.js';
import { latestResults } from '../../store/export-queries.js';
import { ScanStore } from '../../store/scan-store.js';
import { UsageError } from '../../usage-error.js';

// `keepopen export`: the latest result of every repo in the database, as a
// shortlist (CSV, Markdown), the JSON contract, or SARIF for code scanning.

export interface ExportOptions {
  db: string;
  format: 'json' | 'csv' | 'sarif' | 'markdown';
  verdict?: 'keep-open' | 'review-needed' | 'error';
  output?: string;
}

export async function exportCommand(options: ExportOptions): Promise<number> {
  if (!existsSync(options.db)) throw new UsageError(`${options.db} does not exist: run keepopen scan first, or give --db`);
  const store = await ScanStore.open(options.db);
  let rendered: string;
  try {
    const set = await latestResults(store.db, options.verdict);
    const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    rendered =
      options.format === 'csv' ? renderCsv(set)
      : options.format === 'markdown' ? renderMarkdown(set, options.verdict)
      : options.format === 'sarif' ? renderSarif(set, version)
      : renderJsonExport(set);
  } finally {
    await store.close();
  }
  if (options.output) writeFileSync(options.output, rendered);
  else process.stdout.write(rendered);
  return 0;
}
