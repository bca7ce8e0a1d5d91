import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { discoverLocalRepos } from '../../src/sources/local-paths.js';
import { UsageError } from '../../src/usage-error.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('discoverLocalRepos', () => {
  it('treats a work tree and a bare repo as one repo each', () => {
    const root = tempDir();
    makeRepo(join(root, 'work'), [{ files: { a: '1' } }]);
    makeRepo(join(root, 'mirror.git'), [{ files: { a: '1' } }], { bare: true });
    expect(discoverLocalRepos([join(root, 'work')]).map((t) => [t.name, t.kind])).toEqual([['work', 'git-worktree']]);
    expect(discoverLocalRepos([join(root, 'mirror.git')]).map((t) => [t.name, t.kind])).toEqual([['mirror', 'git-bare']]);
  });

  it('searches a folder of mirrors, at any depth, without entering repos, node_modules or symlinks', () => {
    const root = tempDir();
    makeRepo(join(root, 'org-a', 'one.git'), [{ files: { a: '1' } }], { bare: true });
    makeRepo(join(root, 'org-b', 'team', 'two'), [{ files: { a: '1' } }]);
    makeRepo(join(root, 'org-b', 'team', 'two', 'nested-inside'), [{ files: { a: '1' } }]);
    makeRepo(join(root, 'node_modules', 'dep'), [{ files: { a: '1' } }]);
    const outside = tempDir();
    makeRepo(join(outside, 'elsewhere'), [{ files: { a: '1' } }]);
    symlinkSync(outside, join(root, 'link'));
    expect(discoverLocalRepos([root]).map((t) => t.name)).toEqual(['one', 'two']);
  });

  it('scans a folder with no git anywhere as one plain repo named after the folder', () => {
    const root = join(tempDir(), 'plain-stuff');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'sub', 'x.txt'), 'x');
    expect(discoverLocalRepos([root]).map((t) => [t.name, t.kind])).toEqual([['plain-stuff', 'folder']]);
  });

  it('follows a .git file (linked work tree) to its git directory', () => {
    const root = tempDir();
    makeRepo(join(root, 'main'), [{ files: { a: '1' } }]);
    git(join(root, 'main'), ['worktree', 'add', '-q', join(root, 'linked')]);
    const [target] = discoverLocalRepos([join(root, 'linked')]);
    expect(target?.kind).toBe('git-worktree');
    expect(target?.gitdir).toMatch(/main\/\.git\/worktrees\/linked$/);
  });

  it('scans a repo named twice once', () => {
    const root = tempDir();
    makeRepo(join(root, 'r'), [{ files: { a: '1' } }]);
    expect(discoverLocalRepos([join(root, 'r'), root])).toHaveLength(1);
  });

  it('names a missing path or a file in a usage error', () => {
    const root = tempDir();
    writeFileSync(join(root, 'f'), 'x');
    expect(() => discoverLocalRepos([join(root, 'nope')])).toThrow(UsageError);
    expect(() => discoverLocalRepos([join(root, 'f')])).toThrow(/is a file, not a folder/);
  });
});
