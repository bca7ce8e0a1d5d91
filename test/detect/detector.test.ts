import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/detector.js';
import { compileRules, parseRuleFile, RuleFormatError } from '../../src/detect/rule-compiler.js';
import { hashSecret, redact } from '../../src/detect/redact.js';

const RULES = `
rules:
  - id: demo-token
    title: Demo token
    category: credential
    severity: high
    keywords: [demo_]
    pattern: '\\b(?<secret>demo_[a-z0-9]{12})\\b'
    minEntropy: 2.5
    allow:
      values: [demo_aaaaaaaaaaab]
      stopwords: [example]
      patterns: ['^demo_0+$']
    paths: { exclude: ['**/docs/**'] }
    examples: [{ text: 'demo_k3y9p2m8x7q1', secret: demo_k3y9p2m8x7q1 }, { text: 'x=demo_z9y8x7w6v5u4', secret: demo_z9y8x7w6v5u4 }]
    negativeExamples: ['demo_000000000000', 'demo_aaaaaaaaaaab']
`;

const detector = () => new Detector(compileRules(parseRuleFile(RULES, 'test.yaml')), { excludePaths: ['**/node_modules/**'] });

describe('Detector', () => {
  it('finds a secret with its line, column, fingerprint and redacted preview, never the value', () => {
    const { findings } = detector().scanText('src/a.js', 'first line\n  const t = "demo_k3y9p2m8x7q1";\n');
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f).toMatchObject({ ruleId: 'demo-token', path: 'src/a.js', line: 2, column: 14, redacted: 'dem***********7q1', secretHash: hashSecret('demo_k3y9p2m8x7q1') });
    expect(JSON.stringify(f)).not.toContain('demo_k3y9p2m8x7q1');
  });

  it('gives the same fingerprint when the line moves or the file is renamed', () => {
    const d = detector();
    const a = d.scanText('a.env', 'T=demo_k3y9p2m8x7q1').findings[0]!;
    const b = d.scanText('config/b.env', '\n\n\nother\nT = demo_k3y9p2m8x7q1').findings[0]!;
    expect(b.line).toBe(5);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(d.scanText('a.env', 'T=demo_k3y9p2m8x7q2').findings[0]!.fingerprint).not.toBe(a.fingerprint);
  });

  it('applies allow values, stopwords, allow patterns and the entropy floor', () => {
    const d = detector();
    expect(d.scanText('a', 'demo_aaaaaaaaaaab').findings).toEqual([]);
    expect(d.scanText('a', 'demo_000000000000').findings).toEqual([]);
    expect(d.scanText('a', 'demo_exampleabcd').findings).toEqual([]);
    expect(d.scanText('a', 'demo_abababababab').findings).toEqual([]); // entropy 1 bit/char
  });

  it('honours rule path excludes and the vendored-folder excludes', () => {
    const d = detector();
    expect(d.scanText('docs/guide.md', 'demo_k3y9p2m8x7q1').findings).toEqual([]);
    expect(d.scanText('node_modules/x/index.js', 'demo_k3y9p2m8x7q1')).toEqual({ findings: [], skipped: 'excluded-path' });
  });

  it('decodes UTF-16 by BOM, skips binary files, tolerates invalid UTF-8', () => {
    const d = detector();
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('key=demo_k3y9p2m8x7q1', 'utf16le')]);
    expect(d.scanBytes('a.txt', utf16).findings).toHaveLength(1);
    expect(d.scanBytes('a.bin', Buffer.from([0x00, 0x01, ...Buffer.from('demo_k3y9p2m8x7q1')]))).toEqual({ findings: [], skipped: 'binary' });
    expect(d.scanBytes('a.txt', Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.from(' demo_k3y9p2m8x7q1')])).findings).toHaveLength(1);
  });

  it('does not run a rule whose keywords are absent', () => {
    const rules = compileRules(parseRuleFile(RULES.replace("keywords: [demo_]", "keywords: [absent-keyword]"), 't.yaml'));
    expect(new Detector(rules).scanText('a', 'demo_k3y9p2m8x7q1').findings).toEqual([]);
  });
});

describe('rule file format', () => {
  it('names the file, the rule and the field when a rule is wrong', () => {
    expect(() => parseRuleFile(RULES.replace('category: credential', 'category: secrets'), 'bad.yaml')).toThrow(
      new RuleFormatError('bad.yaml: demo-token: "category" must be one of credential, private-key, infrastructure, personal-data'),
    );
    expect(() => compileRules(parseRuleFile(RULES.replace("(?<secret>demo_[a-z0-9]{12})", 'demo_[a-z0-9]{12}'), 'bad.yaml'))).toThrow(/must have a named group \(\?<secret>/);
    expect(() => parseRuleFile(RULES.replace('validator', 'x').replace('minEntropy: 2.5', 'validator: nope'), 'bad.yaml')).toThrow(/unknown validator "nope"/);
    expect(() => parseRuleFile('rules: [', 'broken.yaml')).toThrow(/^broken.yaml: not valid YAML/);
    expect(() => parseRuleFile('other: 1', 'x.yaml')).toThrow(/top-level "rules:" list/);
  });

  it('refuses duplicate ids across files', () => {
    const specs = [...parseRuleFile(RULES, 'a.yaml'), ...parseRuleFile(RULES, 'b.yaml')];
    expect(() => compileRules(specs)).toThrow(/b.yaml: demo-token: duplicate rule id \(also in a.yaml\)/);
  });
});

describe('redact', () => {
  it('keeps a few characters at each end and masks the middle', () => {
    expect(redact('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA************MPLE');
    expect(redact('hunter2x')).toBe('h******x');
    expect(redact('abc')).toBe('***');
    expect(redact('a'.repeat(200))).toBe('aaaa' + '*'.repeat(16) + 'aaaa');
  });
});
