import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fakeSecrets, prng } from '../fixtures/build-fixture-repos.mjs';

// A deterministic corpus of realistic-looking repositories for throughput figures:
// source in several languages, configs, Terraform, notebooks, lockfiles and minified
// bundles, with a few planted (fake) secrets. Same seed and size, same bytes.

type Random = () => number;

const WORDS = ['patient', 'referral', 'appointment', 'clinic', 'record', 'service', 'request', 'response', 'handler', 'config',
  'value', 'result', 'status', 'message', 'client', 'server', 'session', 'user', 'token', 'index', 'count', 'items', 'error',
  'logger', 'cache', 'queue', 'event', 'payload', 'schema', 'model', 'repository', 'controller', 'mapper', 'builder', 'options'];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const ident = (r: Random) => pick(r, WORDS) + (r() < 0.5 ? pick(r, WORDS).replace(/^./, (c) => c.toUpperCase()) : '');
const chars = (r: Random, alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');

function lines(r: Random, count: number, make: (r: Random, i: number) => string): string {
  return Array.from({ length: count }, (_, i) => make(r, i)).join('\n') + '\n';
}

const GENERATORS: Record<string, (r: Random) => string> = {
  'src/{n}.ts': (r) => lines(r, 150 + Math.floor(r() * 300), (r, i) => i % 12 === 0
    ? `export async function ${ident(r)}(${ident(r)}: ${pick(r, ['string', 'number', 'Request'])}): Promise<${pick(r, ['void', 'string', 'Result'])}> {`
    : `  const ${ident(r)} = await this.${ident(r)}.${ident(r)}(${ident(r)}, { ${ident(r)}: ${Math.floor(r() * 1000)} });`),
  'app/{n}.py': (r) => lines(r, 120 + Math.floor(r() * 250), (r, i) => i % 10 === 0
    ? `def ${ident(r).toLowerCase()}_${ident(r).toLowerCase()}(self, ${ident(r).toLowerCase()}):`
    : `    ${ident(r).toLowerCase()} = self.${ident(r).toLowerCase()}.get("${ident(r)}", ${Math.floor(r() * 100)})`),
  'src/main/java/{n}.java': (r) => lines(r, 150 + Math.floor(r() * 250), (r, i) => i % 15 === 0
    ? `    public ${pick(r, ['String', 'int', 'void', 'List<Record>'])} ${ident(r)}(${pick(r, ['String', 'long'])} ${ident(r)}) {`
    : `        ${pick(r, ['String', 'var', 'int'])} ${ident(r)} = ${ident(r)}Service.${ident(r)}(${ident(r)}, "${ident(r)}");`),
  'Services/{n}.cs': (r) => lines(r, 120 + Math.floor(r() * 200), (r) =>
    `        var ${ident(r)} = await _${ident(r)}.${ident(r)}Async(${ident(r)}, cancellationToken).ConfigureAwait(false);`),
  'internal/{n}.go': (r) => lines(r, 120 + Math.floor(r() * 200), (r) => `	${ident(r)}, err := ${ident(r)}.${ident(r)}(ctx, "${ident(r)}")`),
  'deploy/{n}.yaml': (r) => lines(r, 60 + Math.floor(r() * 120), (r) => `${'  '.repeat(Math.floor(r() * 3))}${ident(r)}: ${pick(r, [String(Math.floor(r() * 100)), '"' + ident(r) + '"', 'true', '${' + ident(r).toUpperCase() + '}'])}`),
  'infra/{n}.tf': (r) => lines(r, 80 + Math.floor(r() * 120), (r, i) => i % 8 === 0 ? `resource "azurerm_${ident(r).toLowerCase()}" "${ident(r).toLowerCase()}" {` : `  ${ident(r).toLowerCase()} = var.${ident(r).toLowerCase()}`),
  'docs/{n}.md': (r) => lines(r, 80 + Math.floor(r() * 150), (r) => Array.from({ length: 8 + Math.floor(r() * 10) }, () => pick(r, WORDS)).join(' ') + '.'),
  'web/{n}/package-lock.json': (r) => '{\n  "lockfileVersion": 3,\n  "packages": {\n' + lines(r, 1500, (r) =>
    `    "node_modules/${ident(r).toLowerCase()}": { "version": "${Math.floor(r() * 9)}.${Math.floor(r() * 20)}.${Math.floor(r() * 30)}", "resolved": "https://registry.npmjs.org/${ident(r).toLowerCase()}/-/x.tgz", "integrity": "sha512-${chars(r, B64, 86)}==" },`) + '  }\n}\n',
  'public/js/app.{n}.min.js': (r) => Array.from({ length: 3 }, () => Array.from({ length: 1500 }, () =>
    `function ${chars(r, 'abcdefghijklmnopqrstuvwxyz', 2)}(${chars(r, 'abcdefghijklmnopqrstuvwxyz', 1)}){return "${chars(r, B64, 16)}"+${chars(r, 'abcdefghijklmnopqrstuvwxyz', 1)}}`).join(';')).join('\n'),
  'notebooks/{n}.ipynb': (r) => JSON.stringify({
    cells: Array.from({ length: 20 }, () => ({ cell_type: 'code', source: Array.from({ length: 8 }, () => `${ident(r).toLowerCase()} = df["${ident(r)}"].mean()\n`),
      outputs: r() < 0.3 ? [{ output_type: 'display_data', data: { 'image/png': chars(r, B64, 20000), 'text/plain': ['<Figure>'] } }] : [] })),
    metadata: {}, nbformat: 4, nbformat_minor: 5,
  }, null, 1),
};

export interface CorpusStats {
  files: number;
  bytes: number;
  planted: number;
}

/** Writes about `targetBytes` of repositories under `dir` (repo-0000, repo-0001, ...). */
export function generateCorpus(dir: string, targetBytes: number, seed = 7): CorpusStats {
  const r = prng(seed);
  const secrets = fakeSecrets(seed);
  let bytes = 0;
  let files = 0;
  let planted = 0;
  let repo = 0;
  const kinds = Object.keys(GENERATORS);
  while (bytes < targetBytes) {
    const root = join(dir, `repo-${String(repo++).padStart(4, '0')}`);
    const count = 20 + Math.floor(r() * 40);
    for (let n = 0; n < count && bytes < targetBytes; n++) {
      const kind = pick(r, kinds);
      let text = GENERATORS[kind]!(r);
      if (r() < 0.01) {
        // Two kinds every peer knows (secretlint reports an AWS key ID only beside its secret key, but any private key).
        text += planted % 3 === 2 ? `\n${secrets['rsa-private-key']}\n` : `\naws_access_key_id = "${secrets['aws-access-key-id']}"\n`;
        planted++;
      }
      const path = join(root, kind.replace('{n}', `${ident(r)}${n}`));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      bytes += Buffer.byteLength(text);
      files++;
    }
  }
  return { files, bytes, planted };
}
