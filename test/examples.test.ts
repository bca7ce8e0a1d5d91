import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from './helpers/run-cli.js';

// The scale-out examples users copy: they must parse, agree with themselves on N,
// and only use options keepopen really has (checked against each command's --help).

const root = join(import.meta.dirname, '..');
const helpOf = new Map<string, string>();
function knownOptions(subcommand: string): string {
  if (!helpOf.has(subcommand)) helpOf.set(subcommand, runCli([subcommand, '--help']).stdout);
  return helpOf.get(subcommand)!;
}

/** Every `keepopen SUB --flag ...` in a shell text: the flags must be in SUB's help. */
function expectRealOptions(shell: string): number {
  let checked = 0;
  for (const match of shell.matchAll(/keepopen (scan|merge|export|recheck|triage)\b([^&\n]*)/g)) {
    const help = knownOptions(match[1]!);
    for (const flag of match[2]!.match(/--[a-z-]+/g) ?? []) {
      expect(help, `keepopen ${match[1]} ${flag}`).toContain(flag);
      checked++;
    }
  }
  return checked;
}

describe('scale-out examples', () => {
  it('Kubernetes: an Indexed Job whose completions match --shard, and a merge over every index', () => {
    const docs = parseAllDocuments(readFileSync(join(root, 'examples/kubernetes/keepopen-shards.yaml'), 'utf8')).map((d) => d.toJS());
    const scan = docs.find((d) => d.kind === 'Job' && d.metadata.name === 'keepopen-scan');
    const merge = docs.find((d) => d.kind === 'Job' && d.metadata.name === 'keepopen-merge');
    expect(scan.spec.completionMode).toBe('Indexed');
    const n = scan.spec.completions as number;
    const scanShell = (scan.spec.template.spec.containers[0].args as string[]).join(' ');
    expect(scanShell).toContain(`--shard "$((JOB_COMPLETION_INDEX + 1))/${n}"`);
    const mergeShell = (merge.spec.template.spec.containers[0].args as string[]).join(' ');
    expect(mergeShell).toContain(`for i in ${Array.from({ length: n }, (_, i) => i).join(' ')};`);
    expect(mergeShell).toMatch(/keepopen merge .* && keepopen export .*--verdict keep-open/);
    expect(expectRealOptions(scanShell) + expectRealOptions(mergeShell)).toBeGreaterThan(8);
  });

  it('GitHub Actions: a matrix of shards, then a merge job that exports the shortlist', () => {
    const workflow = parse(readFileSync(join(root, 'examples/github-actions/keepopen-shards.yml'), 'utf8'));
    const shards = workflow.jobs.scan.strategy.matrix.shard as number[];
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    expect(Number(workflow.env.SHARDS)).toBe(shards.length);
    expect(workflow.jobs.merge.needs).toBe('scan');
    const shell = [...workflow.jobs.scan.steps, ...workflow.jobs.merge.steps].map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(shell).toContain('--shard "${{ matrix.shard }}/$SHARDS"');
    expect(shell).toMatch(/keepopen merge keepopen\.db/);
    expect(shell).toMatch(/keepopen export .*--verdict keep-open/);
    expect(expectRealOptions(shell)).toBeGreaterThan(8);
  });
});
