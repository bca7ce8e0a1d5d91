import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import fg from 'fast-glob';
import { CLI, measureCommand, measureNode, ROOT, type ProcessMeasure } from './measure.js';

// Whole-tree scan CPU time: keepopen against its peers on the same folder of files, in the
// same run. secretlint 11 (a devDependency, recommended preset) always; gitleaks when a binary
// is found (GITLEAKS=path, else on PATH). CPU seconds are the child's user + system time.

export interface TreeScan {
  tool: string;
  version?: string;
  /** The tree this tool was given. */
  mb: number;
  files: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  cpuSecondsPerMB: number;
  findings?: number;
  note?: string;
}

export interface PeerFigures {
  /** keepopen over the whole corpus. */
  keepopen: TreeScan;
  /** The tree the peers were given: the whole corpus, or a deterministic subset of it (--peer-mb). */
  peerTree: { mb: number; files: number; subset: boolean };
  /** keepopen over the peers' tree (the same as `keepopen` when that is the whole corpus). */
  keepopenOnPeerTree: TreeScan;
  secretlint: TreeScan | { skipped: string };
  gitleaks: TreeScan | { skipped: string };
  /** How many times more CPU per MB the peer needed than keepopen on the same tree. */
  secretlintOverKeepopen?: number;
  gitleaksOverKeepopen?: number;
}

interface Tree {
  dir: string;
  mb: number;
  files: number;
}

function treeOf(dir: string): Tree {
  const files = fg.sync('**/*', { cwd: dir, dot: true, onlyFiles: true });
  const bytes = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  return { dir, mb: bytes / 1e6, files: files.length };
}

/** The first repo folders of the corpus (in name order) until `mb` is reached, hard-linked into a new folder. */
function subsetOf(corpus: string, mb: number, into: string): Tree {
  let bytes = 0;
  let files = 0;
  for (const repo of readdirSync(corpus).sort()) {
    if (bytes >= mb * 1e6) break;
    for (const file of fg.sync('**/*', { cwd: join(corpus, repo), dot: true, onlyFiles: true }).sort()) {
      const from = join(corpus, repo, file);
      const to = join(into, repo, file);
      mkdirSync(dirname(to), { recursive: true });
      try {
        linkSync(from, to);
      } catch {
        copyFileSync(from, to);
      }
      bytes += statSync(from).size;
      files++;
    }
  }
  return { dir: into, mb: bytes / 1e6, files };
}

function figures(tool: string, tree: Tree, run: ProcessMeasure, extra: Partial<TreeScan> = {}): TreeScan {
  return {
    tool,
    mb: tree.mb,
    files: tree.files,
    wallSeconds: run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    peakRssMB: run.peakRssBytes / 1024 / 1024,
    cpuSecondsPerMB: run.cpuSeconds / tree.mb,
    ...extra,
  };
}

async function keepopenScan(tree: Tree, work: string): Promise<TreeScan> {
  const db = join(work, `keepopen-${Date.now()}.db`);
  const run = await measureNode(CLI, ['scan', tree.dir, '--format', 'json', '--no-progress', '--db', db]);
  if (run.status !== 0) throw new Error(`keepopen scan of the tree failed (exit ${run.status}): ${run.stderr.split('\n')[0]}`);
  const report = JSON.parse(run.stdout) as { findings: unknown[] };
  return figures('keepopen', tree, run, { findings: report.findings.length });
}

async function secretlintScan(tree: Tree, work: string): Promise<TreeScan | { skipped: string }> {
  const bin = join(ROOT, 'node_modules', 'secretlint', 'bin', 'secretlint.js');
  if (!existsSync(bin)) return { skipped: 'secretlint: not installed (npm install installs the devDependencies)' };
  const rc = join(work, 'secretlintrc.json');
  writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).stdout.trim();
  // The default (stylish) formatter prints findings only; its JSON formatter would print every file's content.
  const run = await measureNode(bin, ['--secretlintrc', rc, '--no-color', '**/*'], {}, { cwd: tree.dir });
  if (run.status !== 0 && run.status !== 1) throw new Error(`secretlint failed (exit ${run.status}): ${run.stderr.split('\n')[0]}`);
  const findings = (run.stdout.match(/^\s+\d+:\d+\s+error\s/gm) ?? []).length;
  return figures('secretlint', tree, run, { version, findings, note: 'recommended preset; it reports an AWS key ID only beside its secret key, so of the planted secrets it finds the private keys' });
}

function findGitleaks(): string | undefined {
  if (process.env.GITLEAKS) return existsSync(process.env.GITLEAKS) ? process.env.GITLEAKS : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'gitleaks');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function gitleaksScan(tree: Tree): Promise<TreeScan | { skipped: string }> {
  const bin = findGitleaks();
  if (bin === undefined) {
    return { skipped: 'gitleaks: not found on PATH (shared/tools/install-gitleaks.sh installs it), skipped' };
  }
  // Distribution builds may not stamp a version ("version is set by build process").
  const reported = spawnSync(bin, ['version'], { encoding: 'utf8' }).stdout.trim();
  const version = /^v?\d+\.\d+/.test(reported) ? reported : `(version unknown: "${reported}")`;
  // gitleaks 8.19+ scans a folder with `dir`; older versions with `detect --no-git --source`.
  const hasDir = spawnSync(bin, ['dir', '--help'], { encoding: 'utf8' }).status === 0;
  // A real file, never /dev/null: gitleaks replaces its report path, which turned the
  // machine's /dev/null into a regular file.
  const report = ['--no-banner', '--report-format', 'json', '--report-path', join(tree.dir, '..', 'gitleaks-report.json'), '--exit-code', '0'];
  const args = hasDir ? ['dir', tree.dir, ...report] : ['detect', '--no-git', '--source', tree.dir, ...report];
  const run = await measureCommand(bin, args, { ignoreStdout: true });
  if (run.status !== 0) throw new Error(`gitleaks failed (exit ${run.status}): ${run.stderr.split('\n').slice(-2).join(' ')}`);
  const scanned = /scanned ~(\d+) bytes/.exec(run.stderr);
  const leaks = /leaks found: (\d+)/.exec(run.stderr);
  const note = `default config${scanned ? `; it read ${(Number(scanned[1]) / 1e6).toFixed(0)} MB of the tree (its allowlist skips lockfiles and more)` : ''}`;
  return figures('gitleaks', tree, run, { version, findings: leaks ? Number(leaks[1]) : 0, note });
}

/** keepopen, secretlint and gitleaks over the corpus in `corpusDir`; peers over at most `peerMB` of it. */
export async function benchPeers(corpusDir: string, peerMB: number): Promise<PeerFigures> {
  const work = mkdtempSync(join(tmpdir(), 'keepopen-bench-peers-'));
  try {
    const corpus = treeOf(corpusDir);
    process.stderr.write(`whole tree: keepopen over ${corpus.mb.toFixed(0)} MB...\n`);
    const keepopen = await keepopenScan(corpus, work);
    const subset = peerMB < corpus.mb;
    const peerTree = subset ? subsetOf(corpusDir, peerMB, join(work, 'tree')) : corpus;
    const keepopenOnPeerTree = subset ? await keepopenScan(peerTree, work) : keepopen;
    process.stderr.write(`whole tree: secretlint over ${peerTree.mb.toFixed(0)} MB${subset ? ' (a subset: --peer-mb)' : ''}...\n`);
    const secretlint = await secretlintScan(peerTree, work);
    process.stderr.write(`whole tree: gitleaks...\n`);
    const gitleaks = await gitleaksScan(peerTree);
    const over = (peer: TreeScan | { skipped: string }) => ('skipped' in peer ? undefined : peer.cpuSecondsPerMB / keepopenOnPeerTree.cpuSecondsPerMB);
    return {
      keepopen,
      peerTree: { mb: peerTree.mb, files: peerTree.files, subset },
      keepopenOnPeerTree,
      secretlint,
      gitleaks,
      secretlintOverKeepopen: over(secretlint),
      gitleaksOverKeepopen: over(gitleaks),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
