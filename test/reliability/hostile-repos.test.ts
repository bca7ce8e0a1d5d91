import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets } from '../../fixtures/build-fixture-repos.mjs';
import { CLI } from '../helpers/run-cli.js';

// Every repo is untrusted input. Hostile trees (links out of the repo, odd and
// colliding names, huge files and lines, bad encodings, 100k files, submodules, LFS
// pointers, objects that lie about their size) must each end in bounded time and
// memory, with what was not scanned listed and what was scanned found.

const RSS_HOOK = join(import.meta.dirname, '..', '..', 'bench', 'report-peak-rss.cjs');
const secrets = fakeSecrets(808);
const AWS = secrets['aws-access-key-id'];
let root: string;

interface Report {
  repos: { name: string; verdict: string; reasons: string[] }[];
  findings: { path: string; ruleId: string; line: number }[];
}

/** The built CLI on `path`, with its wall time and peak RSS. */
function scan(path: string, extra: string[] = []): { report: Report; status: number | null; stderr: string; seconds: number; peakRssMB: number } {
  const rssFile = join(root, `rss-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--require', RSS_HOOK, CLI, 'scan', path, '--db', join(root, 'k.db'), '--format', 'json', '--quiet', '--no-resume', ...extra], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KEEPOPEN_BENCH_RSS_FILE: rssFile },
  });
  const seconds = (performance.now() - started) / 1000;
  const peakRssMB = Number(readFileSync(rssFile, 'utf8')) / 1024 / 1024;
  return { report: JSON.parse(run.stdout || '{"repos":[],"findings":[]}') as Report, status: run.status, stderr: run.stderr, seconds, peakRssMB };
}

/** A C-style quoted path for git fast-import (any byte but NUL, newlines included). */
function quoted(path: string): string {
  return `"${[...Buffer.from(path)].map((b) => (b === 0x22 ? '\\"' : b === 0x5c ? '\\\\' : b < 0x20 || b > 0x7e ? `\\${b.toString(8).padStart(3, '0')}` : String.fromCharCode(b))).join('')}"`;
}

type Entry = { path: string; content: string | Buffer; mode?: string } | { path: string; gitlink: string };

/** A bare repo with one commit holding exactly `entries`, built with git fast-import (no checkout: any name git allows). */
function fastImportRepo(dir: string, entries: Entry[]): string {
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s));
  entries.forEach((entry, i) => {
    if ('content' in entry) {
      const body = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content);
      text(`blob\nmark :${i + 1}\ndata ${body.length}\n`);
      parts.push(body);
      text('\n');
    }
  });
  text('commit refs/heads/main\ncommitter Test <test@example.org> 1700000000 +0000\ndata 7\nhostile\n');
  entries.forEach((entry, i) => {
    if ('gitlink' in entry) text(`M 160000 ${entry.gitlink} ${quoted(entry.path)}\n`);
    else text(`M ${entry.mode ?? '100644'} :${i + 1} ${quoted(entry.path)}\n`);
  });
  text('\n');
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: Buffer.concat(parts) });
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-hostile-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hostile repositories', () => {
  it('never follows a symlink out of the repo (git or plain folder), and lists it as not scanned', () => {
    const outside = join(root, 'outside-secret.env');
    writeFileSync(outside, `AWS_ACCESS_KEY_ID=${AWS}\n`);
    const repo = fastImportRepo(join(root, 'links.git'), [
      { path: 'README.md', content: '# links\n' },
      { path: 'config/prod.env', content: outside, mode: '120000' },
      { path: 'etc-passwd', content: '/etc/passwd', mode: '120000' },
    ]);
    const folder = join(root, 'links-folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'README.md'), '# links\n');
    symlinkSync(outside, join(folder, 'prod.env'));
    symlinkSync(root, join(folder, 'up'));
    for (const path of [repo, folder]) {
      const { report, status } = scan(path);
      expect(status).toBe(0);
      expect(report.findings).toEqual([]);
      expect(report.repos[0]!.verdict).toBe('keep-open');
      expect(report.repos[0]!.reasons.join('\n')).toMatch(/not scanned: \d+ files? \(\d+ symlink/);
    }
  }, 60_000);

  it('scans files with odd names (newlines, control characters, dots, right-to-left marks) and case-colliding names, and reports each path as it is', () => {
    const names = ['a\nb.env', 'tab\there.env', '..hidden.env', 'dir/..sneaky/x.env', 'rtl\u202Egnp.env', 'e\u0301-combining.env', 'Config.env', 'config.env', 'CONFIG.ENV'];
    const repo = fastImportRepo(join(root, 'names.git'), names.map((path, i) => ({ path, content: `AWS_ACCESS_KEY_ID=${fakeSecrets(900 + i)['aws-access-key-id']}\n` })));
    const { report, status } = scan(repo);
    expect(status).toBe(0);
    expect(report.findings.filter((f) => f.ruleId === 'aws-access-key-id').map((f) => f.path).sort()).toEqual([...names].sort());
    expect(report.repos[0]!.verdict).toBe('review-needed');
  }, 60_000);

  it('lists a 200 MB file as too large without loading it (loose and packed), in bounded memory', () => {
    const repo = fastImportRepo(join(root, 'huge.git'), [
      { path: 'README.md', content: '# huge\n' },
      { path: 'data/dump.sql', content: Buffer.alloc(200 * 1024 * 1024, 0x41) },
      { path: 'deploy.env', content: `AWS_ACCESS_KEY_ID=${AWS}\n` },
    ]);
    // fast-import leaves so few objects loose; then repacked: the size comes from the zlib header, then from the pack entry's.
    for (const layout of ['loose', 'packed']) {
      if (layout === 'packed') execFileSync('git', ['repack', '-adq'], { cwd: repo });
      const { report, status, peakRssMB } = scan(repo);
      expect(status, layout).toBe(0);
      expect(report.repos[0]!.reasons.join('\n'), layout).toMatch(/not scanned: 1 file \(1 too-large: data\/dump\.sql\)/);
      expect(report.findings.map((f) => f.path), layout).toEqual(['deploy.env']);
      expect(peakRssMB, layout).toBeLessThan(200);
    }
  }, 120_000);

  it('an object whose header claims 10 GB is listed as too large, never read', () => {
    const repo = fastImportRepo(join(root, 'liar.git'), [{ path: 'README.md', content: '# liar\n' }]);
    // A loose blob whose header lies about its size, placed in a tree by hand.
    const fakeOid = 'ab'.repeat(20);
    mkdirSync(join(repo, 'objects', 'ab'), { recursive: true });
    writeFileSync(join(repo, 'objects', 'ab', fakeOid.slice(2)), deflateSync(Buffer.from('blob 10737418240\0tiny')));
    const readme = execFileSync('git', ['rev-parse', 'main:README.md'], { cwd: repo, encoding: 'utf8' }).trim();
    const tree = execFileSync('git', ['mktree', '--missing'], { cwd: repo, input: `100644 blob ${readme}\tREADME.md\n100644 blob ${fakeOid}\tclaims-10gb.bin\n`, encoding: 'utf8' }).trim();
    const commit = execFileSync('git', ['commit-tree', tree, '-m', 'liar'], { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' } }).trim();
    execFileSync('git', ['update-ref', 'refs/heads/main', commit], { cwd: repo });
    const { report, status, seconds } = scan(repo);
    expect(status).toBe(0);
    expect(report.repos[0]!.reasons.join('\n')).toMatch(/not scanned: 1 file \(1 too-large: claims-10gb\.bin\)/);
    expect(seconds).toBeLessThan(30);
  }, 60_000);

  it('a 20 MB single line is scanned in bounded time (anchored rules only); a 50 MB one is listed as too large', () => {
    const line = 'var a="' + 'x'.repeat(20 * 1024 * 1024) + `";var k="${AWS}";\n`;
    const repo = fastImportRepo(join(root, 'lines.git'), [
      { path: 'dist/bundle.js', content: line },
      { path: 'dist/huge.js', content: 'y'.repeat(50 * 1024 * 1024) },
    ]);
    const { report, status, seconds, peakRssMB } = scan(repo, ['--workers', '0']);
    expect(status).toBe(0);
    expect(report.findings.filter((f) => f.ruleId === 'aws-access-key-id').map((f) => f.path)).toEqual(['dist/bundle.js']);
    expect(report.repos[0]!.reasons.join('\n')).toMatch(/1 too-large: dist\/huge\.js/);
    expect(seconds).toBeLessThan(60);
    expect(peakRssMB).toBeLessThan(512);
  }, 120_000);

  it('decodes UTF-16 (by BOM) and survives invalid UTF-8, finding the secrets in both', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`AWS_ACCESS_KEY_ID=${AWS}\r\n`, 'utf16le')]);
    const invalid = Buffer.concat([Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x0a]), Buffer.from(`AWS_ACCESS_KEY_ID=${fakeSecrets(809)['aws-access-key-id']}\n`)]);
    const repo = fastImportRepo(join(root, 'encodings.git'), [
      { path: 'windows.env', content: utf16 },
      { path: 'broken.env', content: invalid },
    ]);
    const { report, status } = scan(repo);
    expect(status).toBe(0);
    expect(report.findings.filter((f) => f.ruleId === 'aws-access-key-id').map((f) => f.path).sort()).toEqual(['broken.env', 'windows.env']);
  }, 60_000);

  it('records submodules and Git LFS pointers as not scanned (never fetched), and says so in the verdict', () => {
    const lfs = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';
    const repo = fastImportRepo(join(root, 'links-out.git'), [
      { path: 'README.md', content: '# app\n' },
      { path: 'libs/shared', gitlink: '1234567890abcdef1234567890abcdef12345678' },
      { path: '.gitmodules', content: '[submodule "libs/shared"]\n\tpath = libs/shared\n\turl = https://example.invalid/never-fetched.git\n' },
      { path: 'data/patients.csv', content: lfs },
    ]);
    const { report, status } = scan(repo);
    expect(status).toBe(0);
    expect(report.repos[0]!.reasons.join('\n')).toMatch(/not scanned: 2 files \((1 submodule, 1 lfs-pointer|1 lfs-pointer, 1 submodule): /);
  }, 60_000);

  it('a deep tree of 100,000 tiny files ends in bounded time and memory', () => {
    const entries: Entry[] = [];
    for (let i = 0; i < 100_000; i++) {
      const depth = i % 40;
      const dir = Array.from({ length: depth }, (_, d) => `d${d}`).join('/');
      entries.push({ path: `${dir ? dir + '/' : ''}f${i}.txt`, content: `${i}\n` });
    }
    entries.push({ path: 'leak.env', content: `AWS_ACCESS_KEY_ID=${AWS}\n` });
    const repo = fastImportRepo(join(root, 'many.git'), entries);
    const { report, status, seconds, peakRssMB } = scan(repo, ['--workers', '0']);
    expect(status).toBe(0);
    expect(report.findings.map((f) => f.path)).toEqual(['leak.env']);
    expect(seconds).toBeLessThan(120);
    expect(peakRssMB).toBeLessThan(512);
  }, 240_000);
});
