import { describe, expect, it } from 'vitest';
import { fakeSecrets } from '../../fixtures/build-fixture-repos.mjs';
import { Detector } from '../../src/detect/detector.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';
import { redactedContext } from '../../src/ui/context/redact-context.js';

// The lines around a finding, masked: the finding's value becomes its redacted
// preview; other secrets the detector finds, key bodies and key-like tokens become stars.

const secrets = fakeSecrets(5);
const detector = new Detector(loadRules(), { excludePaths: [] });

function context(path: string, text: string, line: number, radius?: number) {
  const findings = detector.scanText(path, text).findings;
  const finding = findings.find((f) => f.line === line)!;
  const lines = redactedContext({ text, finding, others: findings.map((f) => ({ line: f.line, column: f.column })), ...(radius ? { radius } : {}) });
  return { finding, lines, shown: lines.map((l) => l.text).join('\n') };
}

describe('redactedContext', () => {
  it("replaces the finding's value with its preview and keeps the lines around it readable", () => {
    const aws = secrets['aws-access-key-id'];
    const text = `# settings\nREGION=eu-west-2\nAWS_ACCESS_KEY_ID=${aws}\nDEPLOY_ENV=staging\n`;
    const { finding, lines, shown } = context('ci.env', text, 3);
    expect(lines.map((l) => [l.number, l.isFinding])).toEqual([[1, false], [2, false], [3, true], [4, false], [5, false]]);
    expect(lines[2]!.text).toBe(`AWS_ACCESS_KEY_ID=${finding.redacted}`);
    expect(lines[2]!.focus).toBe('AWS_ACCESS_KEY_ID='.length);
    expect(shown).toContain('REGION=eu-west-2');
    expect(shown).not.toContain(aws);
  });

  it('masks from the column to the end of the token (a quote or space), however long the value', () => {
    const text = `"Records": "Server=db;User Id=app;Password=${secrets.password};Encrypt=true" // prod\n`;
    const { finding, lines } = context('appsettings.json', text, 1, 0);
    expect(lines[0]!.text).toBe(`"Records": "Server=db;User Id=app;Password=${finding.redacted}" // prod`);
    expect(lines[0]!.text).not.toContain(secrets.password);
  });

  it('masks other secrets on the lines shown, and every line of a private key body', () => {
    const key = secrets['rsa-private-key'];
    const text = `password = "${secrets.password}"\n${key}\n`;
    const { lines, shown } = context('server.key', text, 3, 30);
    const body = key.split('\n').filter((l) => !l.startsWith('-----'));
    for (const line of body) expect(shown).not.toContain(line);
    expect(shown).not.toContain(secrets.password);
    expect(lines[0]!.text).toMatch(/^password = "\*{3,}"$/);
    expect(lines[1]!.text).toBe('-----BEGIN RSA PRIVATE KEY-----');
    expect(lines.find((l) => l.text.startsWith('-----END'))).toBeDefined();
  });

  it('masks key-like tokens the detector does not know (long runs of letters and digits), not ordinary words', () => {
    const text = `name: reporting\ntoken_blob: q8Zr3vX0pLm2Nc7Tb4Wd9Ye1\nhost: 10.42.7.15\n`;
    const findings = detector.scanText('x.yaml', text).findings;
    const finding = findings.find((f) => f.line === 3)!;
    const lines = redactedContext({ text, finding, others: [] });
    expect(lines[0]!.text).toBe('name: reporting');
    expect(lines[1]!.text).toBe('token_blob: ****************');
    expect(lines[2]!.text).toBe(`host: ${finding.redacted}`);
  });

  it('uses stars where the preview is not text (a binary file signature), and turns tabs into spaces', () => {
    const lines = redactedContext({ text: 'a\tb SECRETVALUE c\n', finding: { line: 1, column: 5, redacted: '<binary, 12 bytes>' }, others: [] });
    expect(lines[0]!.text).toBe('a  b *********** c');
    expect(lines[0]!.focus).toBe(5);
  });
});
