import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/detector.js';
import { compileRules, parseRuleFile } from '../../src/detect/rule-compiler.js';
import { applyRepoConfig, parseRepoConfig } from '../../src/triage/repo-config.js';
import { triage, DEFAULT_POLICY } from '../../src/triage/verdict.js';

// Context real files need: notebooks, noise masking, minified lines, inline
// suppressions, count-based escalation and binary signatures.

const RULES = `
rules:
  - id: ctx-anchored
    title: Anchored token
    category: credential
    severity: high
    keywords: [tok_]
    anchored: true
    pattern: '\\b(?<secret>tok_[A-Za-z0-9]{20})\\b'
    examples: [{ text: 'tok_A1b2C3d4E5f6G7h8I9j0', secret: tok_A1b2C3d4E5f6G7h8I9j0 }, { text: 'x tok_Z1b2C3d4E5f6G7h8I9j0', secret: tok_Z1b2C3d4E5f6G7h8I9j0 }]
    negativeExamples: ['tok_short', 'notok']
  - id: ctx-generic
    title: Generic secret assignment
    category: credential
    severity: medium
    keywords: [secret]
    pattern: 'secret\\s*[=:]\\s*"(?<secret>[A-Za-z0-9+/]{16,64})"'
    examples: [{ text: 'secret = "Q2hhbmdlTWVQbGVhc2Ux"', secret: Q2hhbmdlTWVQbGVhc2Ux }, { text: 'secret: "QWxhZGRpbjpvcGVuIHNl"', secret: QWxhZGRpbjpvcGVuIHNl }]
    negativeExamples: ['secret = "short"', 'no']
  - id: ctx-ip
    title: Private address
    category: infrastructure
    severity: low
    keywords: ['10.']
    escalate: { count: 3, severity: high }
    pattern: '(?<![\\d.])(?<secret>10\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})(?![\\d.])'
    examples: [{ text: '10.1.2.3', secret: 10.1.2.3 }, { text: 'ip 10.9.9.9', secret: 10.9.9.9 }]
    negativeExamples: ['11.1.2.3', 'v1.10.1.2.3']
  - id: ctx-keystore
    title: Java keystore
    category: private-key
    severity: high
    signatures: ['feedfeed', 'cececece']
    paths: { include: ['**/*.{jks,keystore,jceks}'] }
    examples: [{ hex: 'feedfeed0000000200000001', path: 'a.jks' }, { hex: 'cececece00000002', path: 'b.jceks' }]
    negativeExamples: [{ hex: 'feedfeed00', path: 'a.txt' }, { hex: '0000', path: 'a.jks' }]
`;

const detector = new Detector(compileRules(parseRuleFile(RULES, 'ctx.yaml')));
const TOKEN = 'tok_A1b2C3d4E5f6G7h8I9j0';
const GENERIC = 'secret = "Q2hhbmdlTWVQbGVhc2Ux"';

describe('notebooks', () => {
  const notebook = JSON.stringify({
    cells: [
      { cell_type: 'markdown', source: ['# Title\n', 'text\n'] },
      { cell_type: 'code', source: ['import os\n', `api = "${TOKEN}"\n`], outputs: [
        { output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgo+' + 'tok_AAAAbbbbCCCCddddEEEE+'.repeat(50), 'text/plain': ['<Figure>'] } },
        { output_type: 'stream', text: ['secret = "Q2hhbmdlTWVQbGVhc2Ux"\n'] },
      ] },
    ],
    metadata: {}, nbformat: 4, nbformat_minor: 5,
  }, null, 1);

  it('scans cell sources and text outputs, at the notebook file line, and never image outputs', () => {
    const findings = detector.scanText('analysis/explore.ipynb', notebook).findings;
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['ctx-anchored', 'ctx-generic']);
    const token = findings.find((f) => f.ruleId === 'ctx-anchored')!;
    const rawLines = notebook.split('\n');
    expect(rawLines[token.line - 1]).toContain(TOKEN);
    const generic = findings.find((f) => f.ruleId === 'ctx-generic')!;
    expect(rawLines[generic.line - 1]).toContain('Q2hhbmdlTWVQbGVhc2Ux');
  });

  it('places output findings on their own lines when the file writes outputs before source (as Jupyter does)', () => {
    // Jupyter sorts a cell's keys: "outputs" comes before "source" in the file.
    const sorted = JSON.stringify({
      cells: [
        { cell_type: 'code', outputs: [{ output_type: 'stream', text: ['first\n', 'secret = "Q2hhbmdlTWVQbGVhc2Ux"\n'] }], source: [`api = "${TOKEN}"\n`] },
        { cell_type: 'code', outputs: [{ output_type: 'stream', text: ['secret = "QWxhZGRpbjpvcGVuIHNl"\n'] }], source: ['print(1)\n'] },
      ],
      metadata: {}, nbformat: 4, nbformat_minor: 5,
    }, null, 1);
    const rawLines = sorted.split('\n');
    const findings = detector.scanText('analysis/sorted.ipynb', sorted).findings;
    expect(findings).toHaveLength(3);
    for (const f of findings) expect(rawLines[f.line - 1]).toContain(f.ruleId === 'ctx-anchored' ? TOKEN : f.redacted.slice(0, 4));
  });

  it('falls back to plain text for a .ipynb that is not notebook JSON', () => {
    expect(detector.scanText('broken.ipynb', `{ not json ${TOKEN}`).findings).toHaveLength(1);
  });
});

describe('noise masking', () => {
  it('blanks lockfile integrity hashes, go.sum hashes and data: URIs, keeping positions', () => {
    const integrity = `"integrity": "sha512-${'tok_A1b2C3d4E5f6G7h8I9j0'.padEnd(86, 'x')}==",\n${GENERIC}`;
    const findings = detector.scanText('package-lock.json', integrity).findings;
    expect(findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([['ctx-generic', 2, 11]]);
    expect(detector.scanText('style.css', `a { background: url(data:image/png;base64,${TOKEN}AAAAAAAAAAAAAAAA) }`).findings).toEqual([]);
    expect(detector.scanText('go.sum', `example.com/x v1.0.0 h1:${'tok_A1b2C3d4E5f6G7h8I9j0'.padEnd(43, 'q')}=`).findings).toEqual([]);
  });
});

describe('minified lines', () => {
  it('keeps anchored rules and drops context rules on very long lines and .min.js files', () => {
    const long = 'var a=1;'.repeat(200) + GENERIC + ';' + `k="${TOKEN}";` + 'var b=2;'.repeat(200);
    expect(detector.scanText('app.js', long).findings.map((f) => f.ruleId)).toEqual(['ctx-anchored']);
    expect(detector.scanText('dist/app.min.js', `${GENERIC}\nk="${TOKEN}"`).findings.map((f) => f.ruleId)).toEqual(['ctx-anchored']);
    expect(detector.scanText('app.js', GENERIC).findings.map((f) => f.ruleId)).toEqual(['ctx-generic']);
  });
});

describe('inline suppression', () => {
  it.each([
    ['# keepopen:allow', 'keepopen:allow'],
    ['// gitleaks:allow', 'gitleaks:allow'],
    ['# pragma: allowlist secret', 'pragma: allowlist secret'],
    ['# trufflehog:ignore', 'trufflehog:ignore'],
    ['# kingfisher:ignore', 'kingfisher:ignore'],
  ])('honours %s on the line, and on the line before', (comment, marker) => {
    const same = detector.scanText('a.py', `x = 1\nkey = "${TOKEN}"  ${comment}\n`).findings;
    expect(same[0]!.suppressedBy).toEqual({ marker, line: 2 });
    const before = detector.scanText('a.py', `${comment}\nkey = "${TOKEN}"\n`).findings;
    expect(before[0]!.suppressedBy).toEqual({ marker, line: 1 });
    const far = detector.scanText('a.py', `${comment}\n\nkey = "${TOKEN}"\n`).findings;
    expect(far[0]!.suppressedBy).toBeUndefined();
  });

  it('keeps suppressed findings out of the verdict but lists them, unless strict', () => {
    const findings = detector.scanText('a.py', `key = "${TOKEN}"  # keepopen:allow\n`).findings;
    const lenient = triage({ findings, notScanned: [], historyScanned: true });
    expect(lenient.verdict).toBe('keep-open');
    expect(lenient.reasons).toEqual(['1 finding suppressed by the repo itself, not counted (keepopen:allow: 1; ctx-anchored in a.py:1); use --strict to count them']);
    expect(triage({ findings, notScanned: [], historyScanned: true }, { ...DEFAULT_POLICY, strict: true }).verdict).toBe('review-needed');
  });
});

describe("a repo's own .keepopen.yaml", () => {
  it('suppresses findings under allowed paths or with allowed fingerprints', () => {
    const a = detector.scanText('test/fixtures/a.env', `K=${TOKEN}`).findings;
    const b = detector.scanText('src/b.env', GENERIC).findings;
    const c = detector.scanText('src/c.env', `K=tok_Z1b2C3d4E5f6G7h8I9j0`).findings;
    const { config } = parseRepoConfig(`allow:\n  paths: ['test/**']\n  fingerprints: ['${b[0]!.fingerprint}']\n`);
    const all = [...a, ...b, ...c];
    applyRepoConfig(all, config);
    expect(all.map((f) => f.suppressedBy?.marker ?? null)).toEqual(['.keepopen.yaml path', '.keepopen.yaml fingerprint', null]);
  });

  it('allows nothing when the file is broken, and says so', () => {
    const { config, problem } = parseRepoConfig('allow: [');
    expect(config).toEqual({ allowPaths: [], allowFingerprints: [] });
    expect(problem).toMatch(/^\.keepopen\.yaml is not valid YAML/);
  });
});

describe('count-based escalation', () => {
  it('raises a file with many distinct addresses to the escalated severity', () => {
    expect(detector.scanText('a.yaml', 'a: 10.0.0.1\nb: 10.0.0.1\nc: 10.0.0.2').findings.map((f) => f.severity)).toEqual(['low', 'low', 'low']);
    expect(detector.scanText('a.yaml', 'a: 10.0.0.1\nb: 10.0.0.2\nc: 10.0.0.3').findings.map((f) => f.severity)).toEqual(['high', 'high', 'high']);
  });
});

describe('binary signatures', () => {
  it('reports a keystore by its magic bytes and path, fingerprinted by content', () => {
    const jks = Buffer.from('feedfeed00000002000000010000', 'hex');
    const [finding] = detector.scanBytes('certs/server.jks', jks).findings;
    expect(finding).toMatchObject({ ruleId: 'ctx-keystore', line: 1, column: 1, redacted: '<binary, 14 bytes>' });
    expect(detector.scanBytes('certs/other.jks', jks).findings[0]!.fingerprint).toBe(finding!.fingerprint);
    expect(detector.scanBytes('certs/server.bin', jks)).toEqual({ findings: [], skipped: 'binary' });
  });
});

describe('one finding per secret and place', () => {
  it('keeps the most severe, then the most specific rule when several match the same value', () => {
    const rules = compileRules(parseRuleFile(`
rules:
  - id: generic-key
    title: Generic
    category: credential
    severity: medium
    keywords: [key]
    pattern: 'key = "(?<secret>[A-Za-z0-9]{20})"'
    examples: [{ text: 'key = "A1b2C3d4E5f6G7h8I9j0"', secret: A1b2C3d4E5f6G7h8I9j0 }, { text: 'key = "Z1b2C3d4E5f6G7h8I9j0"', secret: Z1b2C3d4E5f6G7h8I9j0 }]
    negativeExamples: ['key = "short"', 'none']
  - id: state-file-key
    title: State file secret
    category: infrastructure
    severity: medium
    keywords: [key]
    paths: { include: ['**/*.tfstate'] }
    pattern: 'key = "(?<secret>[A-Za-z0-9]{20})"'
    examples: [{ text: 'key = "A1b2C3d4E5f6G7h8I9j0"', secret: A1b2C3d4E5f6G7h8I9j0, path: a.tfstate }, { text: 'key = "Z1b2C3d4E5f6G7h8I9j0"', secret: Z1b2C3d4E5f6G7h8I9j0, path: a.tfstate }]
    negativeExamples: [{ text: 'key = "short"', path: a.tfstate }, { text: 'none', path: a.tfstate }]
`, 'dedupe.yaml'));
    const d = new Detector(rules);
    expect(d.scanText('prod.tfstate', 'key = "A1b2C3d4E5f6G7h8I9j0"').findings.map((f) => f.ruleId)).toEqual(['state-file-key']);
    expect(d.scanText('app.env', 'key = "A1b2C3d4E5f6G7h8I9j0"').findings.map((f) => f.ruleId)).toEqual(['generic-key']);
    // The same value in two places is two findings.
    expect(d.scanText('app.env', 'key = "A1b2C3d4E5f6G7h8I9j0"\nkey = "A1b2C3d4E5f6G7h8I9j0"').findings).toHaveLength(2);
  });
});
