// `npm run demo`: the main job on the embedded default. Builds the demo repos under
// fixtures/demo into real git repos in a temp folder, then scans them with keepopen.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoRepos } from '../fixtures/build-fixture-repos.mjs';

const root = join(tmpdir(), 'keepopen-demo');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const repos = join(root, 'repos');
buildDemoRepos(repos);
const db = join(root, 'keepopen.db');
const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
process.stderr.write(`keepopen demo: scanning the demo repos built in ${repos}\n`);
const result = spawnSync(process.execPath, [cli, 'scan', repos, '--db', db, ...process.argv.slice(2)], { stdio: 'inherit' });
process.stderr.write(`\nResults are also in ${db}\n`);
process.exit(result.status ?? 2);
