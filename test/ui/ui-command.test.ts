import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('keepopen ui (built CLI)', () => {
  it('needs a terminal: without one it says so in one line and exits 2, creating nothing', () => {
    const db = join(tempDir(), 'k.db');
    const result = runCli(['ui', '--db', db]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('keepopen: keepopen ui needs a terminal (stdin and stdout); for a file, use keepopen export\n');
    expect(existsSync(db)).toBe(false);
  });
});
