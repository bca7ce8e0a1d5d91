import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateCorpus } from './corpus.js';
import { benchDetectionCore } from './detection-core.js';
import { benchOrgScan } from './org-scan.js';
import { ROOT } from './measure.js';

// `npm run bench`: keepopen's speed and memory figures, printed as a table and
// written to bench-results/latest.json. Flags: --corpus-mb N (default 200),
// --org-repos N (default 250), --concurrency N (default 8).

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at !== -1 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const orgRepos = flag('org-repos', 250);
  const concurrency = flag('concurrency', 8);
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
  process.stderr.write(`keepopen bench on ${machine.cores} cores (${machine.cpu}), node ${machine.node}\n`);

  const corpusMB = flag('corpus-mb', 200);
  const corpusDir = mkdtempSync(join(tmpdir(), 'keepopen-bench-corpus-'));
  process.stderr.write(`detection core: generating a ${corpusMB} MB corpus...\n`);
  const corpus = generateCorpus(corpusDir, corpusMB * 1e6);
  const core = benchDetectionCore(corpusDir);
  rmSync(corpusDir, { recursive: true, force: true });

  process.stderr.write(`org scan: ${orgRepos} repos from a loopback API and git server...\n`);
  const org = await benchOrgScan(orgRepos, concurrency);

  const rows: [string, string][] = [
    [`detection core, ${(core.bytes / 1e6).toFixed(0)} MB, ${corpus.files} files, 1 thread`, `${core.mbPerSecond.toFixed(0)} MB/s (${core.seconds.toFixed(2)} s, ${core.findings} findings of ${corpus.planted} planted)`],
    [`org scan, ${org.repos} repos (loopback)`, `${org.wallSeconds.toFixed(1)} s wall, ${org.reposPerMinute.toFixed(0)} repos/min`],
    ['  CPU time (all threads)', `${org.cpuSeconds.toFixed(1)} s`],
    ['  peak RSS', `${org.peakRssMB.toFixed(0)} MB`],
    ['  verdicts', Object.entries(org.verdicts).map(([v, n]) => `${v}: ${n}`).join(', ')],
    [`recheck, ${org.repos} unchanged repos`, `${org.recheck.wallSeconds.toFixed(1)} s wall (${org.recheck.unchanged} not fetched)`],
    ['  peak RSS', `${org.recheck.peakRssMB.toFixed(0)} MB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
  const dir = join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), machine, corpus, detectionCore: core, orgScan: org }, null, 2) + '\n');
  process.stderr.write(`written to bench-results/latest.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
