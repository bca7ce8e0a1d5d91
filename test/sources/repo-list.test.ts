import { describe, expect, it } from 'vitest';
import { parseRepoList } from '../../src/sources/repo-list.js';

describe('parseRepoList', () => {
  it('resolves owner/name against the server URL, keeps clone URLs, skips blanks and comments', () => {
    const text = [
      '# NHS repos to triage',
      '',
      'nhsdigital/nhs-notify   # trailing comment',
      'https://github.com/nhsconnect/integration-adaptors.git',
      'http://127.0.0.1:8080/org/local.git',
      'NHSDigital/nhs-notify',
    ].join('\n');
    const { targets, problems } = parseRepoList(text, 'repos.txt', 'https://github.example.org/');
    expect(problems).toEqual([]);
    expect(targets.map((t) => [t.name, t.cloneUrl, t.key])).toEqual([
      ['nhsdigital/nhs-notify', 'https://github.example.org/nhsdigital/nhs-notify.git', 'github.example.org/nhsdigital/nhs-notify'],
      ['nhsconnect/integration-adaptors', 'https://github.com/nhsconnect/integration-adaptors.git', 'github.com/nhsconnect/integration-adaptors'],
      ['org/local', 'http://127.0.0.1:8080/org/local.git', '127.0.0.1:8080/org/local'],
    ]);
  });

  it('reports each bad line with its number and keeps the rest', () => {
    const text = ['good/repo', 'not a repo', 'git@github.com:a/b.git', 'https://user:pw@github.com/a/b.git', 'also/good'].join('\n');
    const { targets, problems } = parseRepoList(text, 'list.txt', 'https://github.com');
    expect(targets.map((t) => t.name)).toEqual(['good/repo', 'also/good']);
    expect(problems).toEqual([
      'list.txt:2: "not a repo" is not owner/name or an https clone URL',
      'list.txt:3: "git@github.com:a/b.git" is an SSH URL; give owner/name or the https clone URL',
      'list.txt:4: clone URLs with credentials are refused (they would be stored); use GITHUB_TOKEN instead',
    ]);
  });
});
