import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSecrets, makeRepo } from '../../../fixtures/build-fixture-repos.mjs';
import { runCli } from '../../helpers/run-cli.js';

// A real results database for the UI tests, made the way users make one: real git
// repos with generated fake secrets, scanned by the built CLI. Built once per test
// file; each test that writes gets its own copy.

export interface ScannedDatabase {
  dir: string;
  reposDir: string;
  /** The database as the scan left it: copy it (`copyDb`) before writing. */
  db: string;
  secrets: ReturnType<typeof fakeSecrets>;
  /** Values that must never be on a screen: the fake secrets and every line of the key's body. */
  rawValues: string[];
  copyDb(name: string): string;
  remove(): void;
}

export function buildScannedDatabase(seed = 7): ScannedDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'keepopen-ui-'));
  const reposDir = join(dir, 'repos');
  const secrets = fakeSecrets(seed);
  // One credential, nothing else: the repo the end-to-end test makes keep-open.
  makeRepo(join(reposDir, 'billing-api'), [{
    files: {
      'deploy/ci.env': `# CI settings for billing-api\nREGION=eu-west-2\nAWS_ACCESS_KEY_ID=${secrets['aws-access-key-id']}\nDEPLOY_ENV=staging\n`,
      'README.md': '# billing-api\n',
    },
  }]);
  // Two high findings (a password in a connection string and a private key): the riskiest repo.
  makeRepo(join(reposDir, 'records.git'), [{
    files: {
      'config/appsettings.json': `{\n  "ConnectionStrings": {\n    "Records": "Server=records-db.internal;Database=Records;User Id=records_app;Password=${secrets.password};"\n  }\n}\n`,
      'config/server.key': `${secrets['rsa-private-key']}\n`,
    },
  }], { bare: true });
  // Only low-severity infrastructure findings: keep-open, with findings.
  makeRepo(join(reposDir, 'network-docs'), [{ files: { 'prod.tfvars': 'records_ip   = "10.42.7.15"\nbastion_ip   = "192.168.50.4"\n' } }]);
  makeRepo(join(reposDir, 'portal'), [{ files: { 'src/server.js': 'export const port = Number(process.env.PORT ?? 8080);\n' } }]);
  // A repo whose objects are gone: error.
  makeRepo(join(reposDir, 'broken.git'), [{ files: { 'b.txt': 'world\n' } }], { bare: true });
  rmSync(join(reposDir, 'broken.git', 'objects'), { recursive: true, force: true });
  mkdirSync(join(reposDir, 'broken.git', 'objects'));

  const db = join(dir, 'scanned.db');
  const scan = runCli(['scan', reposDir, '--db', db, '--quiet', '--workers', '0']);
  if (scan.status !== 0) throw new Error(`the fixture scan failed: ${scan.stderr}`);
  const keyBody = secrets['rsa-private-key'].split('\n').filter((l) => !l.startsWith('-----') && l.length >= 16);
  let copies = 0;
  return {
    dir, reposDir, db, secrets,
    rawValues: [secrets['aws-access-key-id'], secrets.password, ...keyBody],
    copyDb(name) {
      const copy = join(dir, `${name}-${++copies}.db`);
      copyFileSync(db, copy);
      return copy;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
