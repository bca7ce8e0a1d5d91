import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { generateCorpus } from './corpus.js';
import { benchDetectionCore } from './detection-core.js';
import { benchHistoryScan, type HistoryScanFigures } from './history-scan.js';
import { benchOrgScan, type OrgScanFigures } from './org-scan.js';
import { benchPeers, type TreeScan } from './peers.js';
import { ROOT } from './measure.js';

// `npm run bench`: keepopen's speed and memory figures against the issue's targets, printed
// as a table and written to bench-results/latest.json (or --out FILE). Flags:
//   --corpus-mb N      generated corpus size (default 200)
//   --core-runs N      detection-core passes, best kept (default 3)
//   --peer-mb N        how much of the corpus secretlint and gitleaks scan (default: all of it)
//   --org-repos N      repos in the loopback organisation (default 1000)
//   --org-repos-small N  a second, smaller organisation to show memory stays flat (default 250; 0: skip)
//   --concurrency N    repos fetched at once (default 8)
//   --history-commits N  commits in the generated long-history repo for `scan --history` (default 2000; 0: skip)
//   --skip-peers       no whole-tree comparison

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number`);
  return value;
}

function stringFlag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const mb = (n: number) => `${n.toFixed(0)} MB`;
const s = (n: number) => `${n.toFixed(1)} s`;

function treeRow(t: TreeScan): string {
  return `${s(t.cpuSeconds)} CPU, ${(t.cpuSecondsPerMB * 1000).toFixed(1)} CPU-ms/MB, ${s(t.wallSeconds)} wall, ${mb(t.peakRssMB)} peak RSS, ${t.findings ?? '?'} findings`;
}

function orgRows(org: OrgScanFigures): [string, string][] {
  return [
    [`org scan, ${org.repos} repos (loopback, concurrency ${org.concurrency})`, `${s(org.wallSeconds)} wall, ${org.reposPerMinute.toFixed(0)} repos/min, ${s(org.cpuSeconds)} CPU, ${mb(org.peakRssMB)} peak RSS`],
    ['  verdicts', Object.entries(org.verdicts).map(([v, n]) => `${v}: ${n}`).join(', ')],
    [`recheck, ${org.repos} unchanged repos`, `${s(org.recheck.wallSeconds)} wall (${org.recheck.unchanged} not fetched), ${s(org.recheck.cpuSeconds)} CPU, ${mb(org.recheck.peakRssMB)} peak RSS`],
  ];
}

async function main(): Promise<void> {
  const corpusMB = flag('corpus-mb', 200);
  const coreRuns = flag('core-runs', 3);
  const peerMB = flag('peer-mb', Infinity);
  const orgRepos = flag('org-repos', 1000);
  const orgReposSmall = flag('org-repos-small', 250);
  const concurrency = flag('concurrency', 8);
  const historyCommits = flag('history-commits', 2000);
  const out = resolve(stringFlag('out') ?? join(ROOT, 'bench-results', 'latest.json'));
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
  process.stderr.write(`keepopen bench on ${machine.cores} cores (${machine.cpu}), node ${machine.node}\n`);

  // 1. The detection core, and (2.) the same tree on disk for the whole-tree scans.
  const corpusDir = mkdtempSync(join(tmpdir(), 'keepopen-bench-corpus-'));
  let core;
  let peers;
  let corpus;
  try {
    process.stderr.write(`detection core: generating a ${corpusMB} MB corpus...\n`);
    corpus = generateCorpus(corpusDir, corpusMB * 1e6);
    process.stderr.write(`detection core: ${coreRuns} passes...\n`);
    core = benchDetectionCore(corpusDir, coreRuns);
    peers = process.argv.includes('--skip-peers') ? undefined : await benchPeers(corpusDir, peerMB);
  } finally {
    rmSync(corpusDir, { recursive: true, force: true });
  }

  // 3-5. Organisations from loopback, N = small and N = the default.
  const orgs: OrgScanFigures[] = [];
  for (const n of [...new Set([orgReposSmall, orgRepos])].filter((n) => n > 0).sort((a, b) => a - b)) {
    process.stderr.write(`org scan: ${n} repos from a loopback API and git server...\n`);
    orgs.push(await benchOrgScan(n, concurrency));
  }

  // History: unique-blob throughput of `scan --history` on a long generated history.
  let history: HistoryScanFigures | { error: string } | undefined;
  if (historyCommits > 0) {
    process.stderr.write(`history scan: a repo of ${historyCommits} commits...\n`);
    try {
      history = await benchHistoryScan(historyCommits);
    } catch (error) {
      history = { error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
    }
  }

  const rows: [string, string][] = [
    [`detection core, ${mb(core.bytes / 1e6)}, ${corpus.files} files, 1 thread`, `${core.mbPerSecond.toFixed(0)} MB/s per core, best of ${core.passes.length} (${core.passes.map((p) => p.mbPerSecond.toFixed(0)).join(', ')}); ${core.findings} findings, ${corpus.planted} planted`],
    ['  yardstick: one literal-prefix regex, same text', `${core.literalRegex.mbPerSecond.toFixed(0)} MB/s (the core runs at ${(core.literalRegex.coreShare * 100).toFixed(1)}% of it)`],
    ['  memory', `${core.rss.withCorpusMB.toFixed(0)} MB RSS with the corpus loaded; the core grew it by ${core.rss.growthMB.toFixed(0)} MB at most`],
  ];
  if (peers) {
    rows.push([`whole tree, keepopen, ${mb(peers.keepopen.mb)}`, treeRow(peers.keepopen)]);
    const subset = peers.peerTree.subset ? ` (subset: first ${mb(peers.peerTree.mb)} of the corpus)` : '';
    if (peers.peerTree.subset) rows.push([`whole tree, keepopen, ${mb(peers.peerTree.mb)}${subset}`, treeRow(peers.keepopenOnPeerTree)]);
    for (const peer of [peers.secretlint, peers.gitleaks]) {
      if ('skipped' in peer) rows.push(['', peer.skipped]);
      else rows.push([`whole tree, ${peer.tool} ${peer.version ?? ''}, ${mb(peer.mb)}${subset}`, `${treeRow(peer)}${peer.note ? ` (${peer.note})` : ''}`]);
    }
    const ratio = (over: number | undefined, peer: string) => {
      if (over === undefined) return;
      rows.push([`  keepopen/${peer} CPU-s per MB`, `${(1 / over).toFixed(3)}: keepopen ${over.toFixed(1)}x faster than ${peer} in CPU time`]);
    };
    ratio(peers.secretlintOverKeepopen, 'secretlint');
    ratio(peers.gitleaksOverKeepopen, 'gitleaks');
  }
  for (const org of orgs) rows.push(...orgRows(org));
  if (history && 'error' in history) rows.push(['history scan', `failed: ${history.error}`]);
  else if (history) {
    const h = history;
    rows.push(
      [`history scan, ${h.commits} commits, ${h.uniqueBlobs} unique blobs (${h.uniqueBlobMB.toFixed(0)} MiB)`, `${s(h.history.wallSeconds)} wall, ${h.history.uniqueBlobMBPerSecond.toFixed(1)} MiB/s of unique blobs, ${s(h.history.cpuSeconds)} CPU, ${mb(h.history.peakRssMB)} peak RSS, planted secret ${h.history.foundPlantedSecret ? 'found' : 'MISSED'}`],
      ['  HEAD only, same repo', `${s(h.headOnly.wallSeconds)} wall, ${s(h.headOnly.cpuSeconds)} CPU`],
      ['  git log -p --all (the patch stream)', `${s(h.gitLogPatch.wallSeconds)} wall, ${s(h.gitLogPatch.cpuSeconds)} CPU, ${h.gitLogPatch.outputMB.toFixed(0)} MiB`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), machine, corpus, detectionCore: core, wholeTree: peers, orgScans: orgs, historyScan: history }, null, 2) + '\n');
  process.stderr.write(`written to ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
