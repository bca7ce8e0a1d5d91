// After tsc: make the CLI entry point executable (tsc keeps the shebang, not the mode).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/src/cli/main.js', import.meta.url), 0o755);
