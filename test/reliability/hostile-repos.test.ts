import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets } from '../../fixtures/build-fixture-repos.mjs';
import { CLI } from '../helpers/run-cli.js';
import { deflatedZeros } from '../helpers/zlib-bomb.js';

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
    timeout: 180_000, // a scan that never ends fails the test (status null) rather than hanging it
  });
  const seconds = (performance.now() - started) / 1000;
  const peakRssMB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 / 1024 : Infinity;
  return { report: JSON.parse(run.stdout || '{"repos":[],"findings":[]}') as Report, status: run.status, stderr: run.stderr, seconds, peakRssMB };
}

/** The built CLI's default table output on `path`, with what it wrote to stderr (line progress). */
function scanTable(path: string): { stdout: string; stderr: string; status: number | null } {
  const run = spawnSync(process.execPath, [CLI, 'scan', path, '--db', join(root, 'table.db'), '--no-progress', '--no-resume'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 180_000 });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

/** Characters that would act on a terminal, or reorder or hide what it shows, if printed raw. */
const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Points HEAD of `repo` at a new commit of `tree`. */
function commitTree(repo: string, tree: string): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
  const commit = execFileSync('git', ['commit-tree', tree, '-m', 'hostile'], { cwd: repo, encoding: 'utf8', env }).trim();
  execFileSync('git', ['update-ref', 'refs/heads/main', commit], { cwd: repo });
}

/** A raw tree object, written as is (`--literally`: git would refuse some of these names). */
function rawTree(repo: string, entries: { mode: string; name: string | Buffer; oid: string }[]): string {
  const body = Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode} `), Buffer.from(e.name), Buffer.from([0]), Buffer.from(e.oid, 'hex')]));
  return execFileSync('git', ['hash-object', '-t', 'tree', '--literally', '-w', '--stdin'], { cwd: repo, input: body, encoding: 'utf8' }).trim();
}

function blob(repo: string, content: string | Buffer): string {
  return execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo, input: content, encoding: 'utf8' }).trim();
}

/**
 * A pack (and its version 2 index) holding entries exactly as given: a type, the size its
 * header claims, and the zlib data that follows, true or not. git itself would refuse it.
 */
function writeForgedPack(repo: string, entries: { oid: string; type: number; claimedSize: number; zlib: Buffer }[]): void {
  const parts: Buffer[] = [Buffer.from('PACK'), Buffer.from([0, 0, 0, 2]), Buffer.alloc(4)];
  parts[2]!.writeUInt32BE(entries.length);
  let offset = 12;
  const offsets = new Map<string, number>();
  for (const entry of entries) {
    const header: number[] = [];
    let size = entry.claimedSize;
    let byte = (entry.type << 4) | (size % 16);
    size = Math.floor(size / 16);
    while (size > 0) {
      header.push(byte | 0x80);
      byte = size % 128;
      size = Math.floor(size / 128);
    }
    header.push(byte);
    offsets.set(entry.oid, offset);
    parts.push(Buffer.from(header), entry.zlib);
    offset += header.length + entry.zlib.length;
  }
  const body = Buffer.concat(parts);
  const packSha = createHash('sha1').update(body).digest();
  const pack = Buffer.concat([body, packSha]);
  const sorted = [...entries].map((e) => e.oid).sort();
  const fanout = Buffer.alloc(256 * 4);
  for (let i = 0; i < 256; i++) fanout.writeUInt32BE(sorted.filter((oid) => parseInt(oid.slice(0, 2), 16) <= i).length, i * 4);
  const offsetTable = Buffer.alloc(sorted.length * 4);
  sorted.forEach((oid, i) => offsetTable.writeUInt32BE(offsets.get(oid)!, i * 4));
  const idxBody = Buffer.concat([Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]), fanout, ...sorted.map((oid) => Buffer.from(oid, 'hex')), Buffer.alloc(sorted.length * 4), offsetTable, packSha]);
  const idx = Buffer.concat([idxBody, createHash('sha1').update(idxBody).digest()]);
  const name = `pack-${packSha.toString('hex')}`;
  mkdirSync(join(repo, 'objects', 'pack'), { recursive: true });
  writeFileSync(join(repo, 'objects', 'pack', `${name}.pack`), pack);
  writeFileSync(join(repo, 'objects', 'pack', `${name}.idx`), idx);
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
  it('prints odd names escaped in the table (one line per finding, nothing a terminal acts on), and exact in JSON', () => {
    const names = ['a\nb.env', 'esc\u001b[2Jclear.env', 'rtl\u202Egnp.env', 'tab\there.env', 'bell\u0007.env', 'c1\u009b31m.env', 'back\\slash "q".env'];
    const repo = fastImportRepo(join(root, 'printed.git'), names.map((path, i) => ({ path, content: `AWS_ACCESS_KEY_ID=${fakeSecrets(950 + i)['aws-access-key-id']}\n` })));
    // A plain folder whose own name (the repo's name) carries an escape sequence and a newline.
    const folder = join(root, 'evil\u001b]0;pwned\u0007\nrepo');
    mkdirSync(folder);
    writeFileSync(join(folder, 'x\u001b[8m.env'), `AWS_ACCESS_KEY_ID=${AWS}\n`);
    for (const [path, count] of [[repo, names.length], [folder, 1]] as const) {
      const { stdout, stderr, status } = scanTable(path);
      expect(status).toBe(0);
      expect(stdout, 'stdout').not.toMatch(TERMINAL_UNSAFE);
      expect(stderr, 'stderr').not.toMatch(TERMINAL_UNSAFE);
      const findingLines = stdout.split('\n').filter((l) => l.includes('aws-access-key-id  high'));
      expect(findingLines).toHaveLength(count);
    }
    const table = scanTable(repo).stdout;
    // Quoted as git quotes paths: escapes inside double quotes, a literal backslash doubled.
    for (const shown of ['"a\\nb.env":1:19', '"esc\\x1b[2Jclear.env":1:19', '"rtl\\u202egnp.env":1:19', '"tab\\there.env":1:19', '"bell\\x07.env":1:19', '"c1\\x9b31m.env":1:19', '"back\\\\slash \\"q\\".env":1:19']) {
      expect(table).toContain(shown);
    }
    expect(scanTable(folder).stdout).toContain('"evil\\x1b]0;pwned\\x07\\nrepo"');
    // JSON keeps every name exactly (C1 and bidi characters as \u escapes, still the same string).
    const { report } = scan(repo);
    expect(report.findings.map((f) => f.path).sort()).toEqual([...names].sort());
  }, 60_000);

  it('reads tree entries git itself would refuse (.., ., .git, names with slashes) without crashing, and reports them', () => {
    const repo = join(root, 'forged-names.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', repo]);
    const secret = (i: number) => blob(repo, `AWS_ACCESS_KEY_ID=${fakeSecrets(970 + i)['aws-access-key-id']}\n`);
    const inner = rawTree(repo, [{ mode: '100644', name: 'config', oid: secret(0) }]);
    const tree = rawTree(repo, [
      { mode: '100644', name: '..', oid: secret(1) },
      { mode: '100644', name: '.', oid: secret(2) },
      { mode: '100644', name: '../../etc/passwd', oid: secret(3) },
      { mode: '40000', name: '.git', oid: inner },
      { mode: '100644', name: Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x65, 0x6e, 0x76]), oid: secret(4) },
    ]);
    commitTree(repo, tree);
    const { report, status } = scan(repo);
    expect(status).toBe(0);
    expect(report.repos[0]!.verdict).toBe('review-needed');
    // Not UTF-8: reported with U+FFFD for each byte that is not, and still scanned.
    expect(report.findings.map((f) => f.path).sort()).toEqual(['.', '..', '../../etc/passwd', 'bad\uFFFD\uFFFD.env']);
  }, 60_000);

  it('a "git bomb" (a tree repeating one subtree until HEAD holds 10^10 paths) is error in seconds, never walked', () => {
    const repo = join(root, 'bomb.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', repo]);
    let tree = rawTree(repo, Array.from({ length: 10 }, (_, i) => ({ mode: '100644', name: `f${i}`, oid: blob(repo, `AWS_ACCESS_KEY_ID=${AWS}\n`) })));
    for (let level = 0; level < 9; level++) tree = rawTree(repo, Array.from({ length: 10 }, (_, i) => ({ mode: '40000', name: `d${i}`, oid: tree })));
    commitTree(repo, tree);
    const { report, status, seconds, peakRssMB } = scan(repo);
    expect(status).toBe(0);
    expect(report.repos[0]!.verdict).toBe('error');
    expect(report.repos[0]!.reasons[0]).toMatch(/^scan failed: HEAD's tree holds more than [\d,]+ paths \(folders repeating the same content, a "git bomb"\?\): too many to scan$/);
    expect(seconds).toBeLessThan(30);
    expect(peakRssMB).toBeLessThan(300);
  }, 60_000);

  it('folders nested deeper than git allows end as error with the reason; 4,000 deep is read', () => {
    const deep = (depth: number) => Array.from({ length: depth }, () => 'd').join('/') + '/leak.env';
    const ok = fastImportRepo(join(root, 'deep-ok.git'), [{ path: deep(4000), content: `AWS_ACCESS_KEY_ID=${AWS}\n` }]);
    const tooDeep = fastImportRepo(join(root, 'too-deep.git'), [{ path: deep(5000), content: `AWS_ACCESS_KEY_ID=${AWS}\n` }]);
    const read = scan(ok);
    expect(read.report.findings.map((f) => f.path)).toEqual([deep(4000)]);
    const refused = scan(tooDeep);
    expect(refused.report.repos[0]!.verdict).toBe('error');
    expect(refused.report.repos[0]!.reasons[0]).toBe(`scan failed: HEAD's tree nests folders more than 4096 deep (git refuses such trees): not scanned`);
    expect(refused.seconds).toBeLessThan(30);
  }, 60_000);

  it('objects that lie (a zlib bomb under a small header, loose or packed; a tree claiming 10 GB) end as error in bounded memory', async () => {
    // 1 GB of zeros deflates to about 1 MB: inflating it whole is the bomb.
    const bomb = await deflatedZeros(1024 ** 3, Buffer.from('blob 100\0'));
    const packedBomb = await deflatedZeros(1024 ** 3);
    const cases: [string, (repo: string) => void, RegExp][] = [
      ['loose blob bomb', (repo) => {
        const oid = 'cd'.repeat(20);
        mkdirSync(join(repo, 'objects', 'cd'), { recursive: true });
        writeFileSync(join(repo, 'objects', 'cd', oid.slice(2)), bomb);
        commitTree(repo, rawTree(repo, [{ mode: '100644', name: 'bomb.bin', oid }, { mode: '100644', name: 'README.md', oid: blob(repo, '# r\n') }]));
      }, /^scan failed: loose object (cd){20} inflates to more than \d+ bytes/],
      ['packed blob bomb', (repo) => {
        const oid = 'ef'.repeat(20);
        commitTree(repo, rawTree(repo, [{ mode: '100644', name: 'bomb.bin', oid }]));
        writeForgedPack(repo, [{ oid, type: 3, claimedSize: 100, zlib: packedBomb }]);
      }, /^scan failed: .*pack-[0-9a-f]{40}\.pack: the entry at 12 inflates to more than 100 bytes/],
      ['loose tree claiming 10 GB', (repo) => {
        const oid = 'ab'.repeat(20);
        mkdirSync(join(repo, 'objects', 'ab'), { recursive: true });
        writeFileSync(join(repo, 'objects', 'ab', oid.slice(2)), deflateSync(Buffer.from('tree 10737418240\0')));
        commitTree(repo, rawTree(repo, [{ mode: '40000', name: 'src', oid }]));
      }, /^scan failed: loose object (ab){20} claims 10737418240 bytes, more than keepopen reads$/],
    ];
    for (const [name, build, reason] of cases) {
      const repo = join(root, `${name.replace(/ /g, '-')}.git`);
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', repo]);
      build(repo);
      const { report, status, seconds, peakRssMB } = scan(repo);
      expect(status, name).toBe(0);
      expect(report.repos[0]!.verdict, name).toBe('error');
      expect(report.repos[0]!.reasons[0], name).toMatch(reason);
      expect(seconds, name).toBeLessThan(30);
      expect(peakRssMB, name).toBeLessThan(250);
    }
  }, 120_000);

  it('a pack entry whose header claims 10 GB is listed as too large, never inflated', () => {
    const repo = join(root, 'pack-claims.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', repo]);
    const oid = 'ee'.repeat(20);
    commitTree(repo, rawTree(repo, [{ mode: '100644', name: 'claims-10gb.bin', oid }, { mode: '100644', name: 'deploy.env', oid: blob(repo, `AWS_ACCESS_KEY_ID=${AWS}\n`) }]));
    writeForgedPack(repo, [{ oid, type: 3, claimedSize: 10 * 1024 ** 3, zlib: deflateSync(Buffer.from('tiny')) }]);
    const { report, status } = scan(repo);
    expect(status).toBe(0);
    expect(report.repos[0]!.reasons.join('\n')).toMatch(/not scanned: 1 file \(1 too-large: claims-10gb\.bin\)/);
    expect(report.findings.map((f) => f.path)).toEqual(['deploy.env']);
  }, 60_000);

  it('an LFS pointer is listed as not scanned, and its own text is still scanned (a secret after the first line is found)', () => {
    const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';
    const files = { 'model.bin': pointer, 'not-really.env': `version https://git-lfs.github.com/spec/v1\nAWS_ACCESS_KEY_ID=${AWS}\n` };
    const repo = fastImportRepo(join(root, 'lfs.git'), Object.entries(files).map(([path, content]) => ({ path, content })));
    const folder = join(root, 'lfs-folder');
    mkdirSync(folder);
    for (const [path, content] of Object.entries(files)) writeFileSync(join(folder, path), content);
    for (const path of [repo, folder]) {
      const { report, status } = scan(path);
      expect(status).toBe(0);
      expect(report.findings.map((f) => f.path)).toEqual(['not-really.env']);
      expect(report.repos[0]!.reasons.join('\n')).toMatch(/not scanned: 2 files \(2 lfs-pointer: model\.bin, not-really\.env\)/);
    }
  }, 60_000);

  it('a hostile plain folder: odd and non-UTF-8 names, case collisions, UTF-16, a FIFO, 200 MB (sparse), 20 MB and 50 MB lines', () => {
    const folder = join(root, 'hostile-folder');
    mkdirSync(join(folder, 'dir'), { recursive: true });
    const key = (i: number) => `AWS_ACCESS_KEY_ID=${fakeSecrets(990 + i)['aws-access-key-id']}\n`;
    const names = ['a\nb.env', 'tab\there.env', 'rtl\u202Egnp.env', '..hidden.env', 'Config.env', 'config.env', 'CONFIG.ENV', 'dir/e\u0301.env'];
    names.forEach((name, i) => writeFileSync(join(folder, name), key(i)));
    // A name that is not UTF-8 (Linux allows any byte but / and NUL).
    writeFileSync(Buffer.from(join(folder, 'bad\xff.env'), 'latin1'), key(20));
    writeFileSync(join(folder, 'windows.env'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(key(21), 'utf16le')]));
    writeFileSync(join(folder, 'broken.env'), Buffer.concat([Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x0a]), Buffer.from(key(22))]));
    execFileSync('mkfifo', [join(folder, 'pipe.env')]); // opened for reading, it would block for ever
    writeFileSync(join(folder, 'dump.sql'), '');
    truncateSync(join(folder, 'dump.sql'), 200 * 1024 * 1024);
    writeFileSync(join(folder, 'bundle.js'), 'var a="' + 'x'.repeat(20 * 1024 * 1024) + `";var k="${fakeSecrets(23)['aws-access-key-id']}";\n`);
    writeFileSync(join(folder, 'huge.js'), 'y'.repeat(50 * 1024 * 1024));
    const { report, status, seconds, peakRssMB } = scan(folder, ['--workers', '0']);
    expect(status).toBe(0);
    const found = report.findings.filter((f) => f.ruleId === 'aws-access-key-id').map((f) => f.path).sort();
    expect(found).toEqual([...names, 'bad\uFFFD.env', 'windows.env', 'broken.env', 'bundle.js'].sort());
    expect(report.repos[0]!.reasons.join('\n')).toMatch(/not scanned: 2 files \(2 too-large: dump\.sql, huge\.js\)/);
    expect(seconds).toBeLessThan(60);
    expect(peakRssMB).toBeLessThan(512);
  }, 120_000);

  it('a plain folder of 100,000 tiny files ends in bounded time and memory', () => {
    const folder = join(root, 'many-folder');
    for (let depth = 0; depth < 40; depth++) mkdirSync(join(folder, ...Array.from({ length: depth }, (_, d) => `d${d}`)), { recursive: true });
    for (let i = 0; i < 100_000; i++) writeFileSync(join(folder, ...Array.from({ length: i % 40 }, (_, d) => `d${d}`), `f${i}.txt`), `${i}\n`);
    writeFileSync(join(folder, 'leak.env'), `AWS_ACCESS_KEY_ID=${AWS}\n`);
    const { report, status, seconds, peakRssMB } = scan(folder, ['--workers', '0']);
    expect(status).toBe(0);
    expect(report.findings.map((f) => f.path)).toEqual(['leak.env']);
    expect(seconds).toBeLessThan(120);
    expect(peakRssMB).toBeLessThan(512);
  }, 240_000);
});
