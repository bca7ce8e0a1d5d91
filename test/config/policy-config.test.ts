import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeSecrets, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { loadPolicyConfig, organisationHostnameRule, parsePolicyConfig } from '../../src/config/policy-config.js';
import { compileRule } from '../../src/detect/rule-compiler.js';
import { checkRule } from '../../src/detect/rule-tester.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('policy config', () => {
  it('reads every setting, resolving rule folders against the file', () => {
    const config = parsePolicyConfig(
      'review:\n  severities: [high]\norganisation:\n  hostnameSuffixes: [.Northmoor.NHS.local]\nrules:\n  folders: [my-rules]\npaths:\n  exclude: ["**/legacy/**"]\nallow:\n  fingerprints: [abc123]\n',
      '/etc/keepopen/keepopen.config.yaml',
    );
    expect(config).toEqual({
      file: '/etc/keepopen/keepopen.config.yaml', reviewSeverities: ['high'], hostnameSuffixes: ['northmoor.nhs.local'],
      ruleFolders: ['/etc/keepopen/my-rules'], excludePaths: ['**/legacy/**'], allowFingerprints: ['abc123'],
    });
  });

  it.each([
    ['review:\n  severities: [urgent]', /"review.severities" may hold only high, medium, low/],
    ['organisation:\n  hostnameSuffixes: ["not a suffix!"]', /is not a DNS suffix/],
    ['paths:\n  exclude: "**/x"', /"paths.exclude" must be a list of strings/],
    ['reveiw: {}', /unknown setting "reveiw"/],
    ['review: [', /is not valid YAML/],
  ])('names the file and the setting for %j', (text, message) => {
    expect(() => parsePolicyConfig(text, 'keepopen.config.yaml')).toThrow(message);
  });

  it('finds keepopen.config.* in the working folder, and refuses a missing --config', () => {
    const dir = tempDir();
    expect(loadPolicyConfig(undefined, dir).file).toBeUndefined();
    writeFileSync(join(dir, 'keepopen.config.json'), '{"review": {"severities": ["high"]}}');
    expect(loadPolicyConfig(undefined, dir)).toMatchObject({ file: 'keepopen.config.json', reviewSeverities: ['high'] });
    expect(() => loadPolicyConfig(join(dir, 'nope.yaml'))).toThrow(/does not exist/);
  });

  it('makes an organisation hostname rule that passes its own examples', () => {
    const spec = organisationHostnameRule(['northmoor.nhs.local', 'corp.example.org'])!;
    expect(checkRule(compileRule(spec))).toEqual([]);
  });
});

describe('policy config end to end (built CLI)', () => {
  it('changes verdicts: review severities, organisation hostnames, excludes and allowlisted fingerprints', () => {
    const dir = tempDir();
    const key = fakeSecrets(31)['aws-access-key-id'];
    makeRepo(join(dir, 'repos', 'hosts'), [{ files: { 'deploy/values.yaml': 'a: pas-01.northmoor.nhs.local\nb: pas-02.northmoor.nhs.local\nc: lims-01.northmoor.nhs.local\nd: ris-01.northmoor.nhs.local\n' } }]);
    makeRepo(join(dir, 'repos', 'keys'), [{ files: { 'legacy/old.env': `AWS_ACCESS_KEY_ID=${key}\n`, 'README.md': '# keys\n' } }]);
    const db = join(dir, 'k.db');
    const scan = (config: string) => {
      writeFileSync(join(dir, 'keepopen.config.yaml'), config);
      const result = runCli(['scan', join(dir, 'repos'), '--db', db, '--format', 'json', '--quiet', '--force'], { cwd: dir });
      expect(result.stderr).toBe('');
      return Object.fromEntries((JSON.parse(result.stdout) as { repos: { name: string; verdict: string; reasons: string[] }[] }).repos.map((r) => [r.name, r]));
    };
    const withSuffix = scan('organisation:\n  hostnameSuffixes: [northmoor.nhs.local]\n');
    expect(withSuffix.hosts!.verdict).toBe('review-needed'); // four internal hosts in one file: a map (medium)
    expect(withSuffix.keys!.verdict).toBe('review-needed');
    const highOnly = scan('organisation:\n  hostnameSuffixes: [northmoor.nhs.local]\nreview:\n  severities: [high]\npaths:\n  exclude: ["legacy/**"]\n');
    expect(highOnly.hosts!.verdict).toBe('keep-open');
    expect(highOnly.keys!.verdict).toBe('keep-open');
    // A fingerprint allowlisted centrally no longer counts, and the verdict says so.
    writeFileSync(join(dir, 'keepopen.config.yaml'), '');
    const first = runCli(['scan', join(dir, 'repos', 'keys'), '--db', join(dir, 'other.db'), '--format', 'json', '--quiet'], { cwd: dir });
    const fp = (JSON.parse(first.stdout) as { findings: { ruleId: string; fingerprint: string }[] }).findings.find((f) => f.ruleId === 'aws-access-key-id')!.fingerprint;
    const allowed = scan(`allow:\n  fingerprints: [${fp}]\n`);
    expect(allowed.keys!.verdict).toBe('keep-open');
    expect(allowed.keys!.reasons[0]).toBe('1 finding triaged, not counted (allowlisted by policy: 1; aws-access-key-id in legacy/old.env:1)');
  });
});
