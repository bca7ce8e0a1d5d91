#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { RuleFormatError } from '../detect/rule-compiler.js';
import { packageRoot } from '../package-root.js';
import { StoreError } from '../store/sqlite.js';
import { UsageError } from '../usage-error.js';
import { exportCommand, type ExportOptions } from './commands/export-command.js';
import { mergeCommand, type MergeOptions } from './commands/merge-command.js';
import { recheckCommand, type RecheckOptions } from './commands/recheck-command.js';
import { rulesListCommand, rulesTestCommand } from './commands/rules-command.js';
import { scanCommand, type ScanCommandOptions } from './commands/scan-command.js';
import { triageCommand, type TriageCommandOptions } from './commands/triage-command.js';
import { uiCommand, type UiOptions } from './commands/ui-command.js';

// argv -> commands and exit codes. No logic of its own. Exit codes (the contract):
// 0 the run completed; 1 with --fail-on-review and a repo review-needed or error;
// 2 bad usage or the run could not start.

const EXIT_USAGE = 2;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The options `scan` and `recheck` share: where results go, how to fetch, detect and report. */
function withRunOptions(command: Command): Command {
  return command
    .option('--db <file>', 'SQLite results database', './keepopen.db')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--output <file>', 'write the report to FILE instead of stdout')
    .option('--concurrency <n>', 'repos fetched and scanned at once', positiveInt, 8)
    .option('--rules <dir>', 'extra folder of rule files (repeatable)', collect, [])
    .option('--fail-on-review', 'exit 1 when any repo is review-needed or error', false)
    .option('--quiet', 'print nothing but the report and errors', false)
    .option('--no-progress', 'plain progress lines, one per repo, even on a terminal (no live view)')
    .option('--strict', "ignore the scanned repos' own suppressions (inline comments, .keepopen.yaml)", false)
    .option('--exclude <glob>', 'paths not scanned, as globs (repeatable)', collect, [])
    .option('--include-vendored', 'also scan vendored folders (node_modules, vendor, site-packages, .venv, bower_components)', false)
    .option('--cache-dir <dir>', 'where shallow clones go (default: the OS cache folder)')
    .option('--keep-clones', 'keep clones after scanning, so the next scan fetches only what changed', false)
    .option('--workers <n>', 'detection threads (0: detect in the main thread)', nonNegativeInt, Math.max(1, availableParallelism()))
    .option('--timeout <seconds>', 'abandon a network request after this long without data', positiveInt, 60)
    .option('--force', 'fetch and scan even repos whose HEAD has not moved since the last scan', false)
    .option('--no-resume', 'start a new scan even when the same command was interrupted (default: resume it)')
    .option('--history', 'also scan the history of every branch and tag (each unique blob once; full clones)', false)
    .option('--config <file>', 'policy file (default: keepopen.config.yaml, .yml or .json in the working folder)');
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('keepopen')
    .description('Triage repositories for secrets, infrastructure maps and personal data: keep-open or review-needed.')
    .version(version())
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    // One line, always: commander's "(Did you mean ...?)" hint joins the message.
    .configureOutput({ outputError: (text, write) => write(`keepopen: ${text.replace(/^error: /, '').trimEnd().replace(/\n+/g, ' ')}\n`) });

  withRunOptions(program.command('scan'))
    .description('scan git repos (work trees or bare mirrors) or folders of repos, and give each a verdict')
    .argument('[paths...]', 'a git repo, a folder of repos, or a plain folder (default: . when no --org or --repos)')
    .option('--org <name>', 'every repo of a GitHub organisation (repeatable; GITHUB_TOKEN, GITHUB_API_URL)', collect, [])
    .option('--repos <file>', 'a file with one owner/name or https clone URL a line (repeatable)', collect, [])
    .option('--include-forks', 'also scan forks (skipped by default)', false)
    .option('--include-archived', 'also scan archived repos (skipped by default)', false)
    .option('--shard <i/n>', 'scan only part I of N of the repo list (by a hash of each repo; merge the databases with keepopen merge)')
    .action(async (paths: string[], options: ScanCommandOptions) => {
      setExit(await scanCommand(paths, options, ['keepopen', ...process.argv.slice(2)].join(' ')));
    });

  withRunOptions(program.command('recheck'))
    .description('scan repos already in the database again and say what was fixed, moved, is new or still there')
    .argument('[repos...]', 'owner/name, folder name, path or clone URL of repos in the database')
    .option('--all', 'recheck every repo in the database', false)
    .action(async (repos: string[], options: RecheckOptions) => {
      setExit(await recheckCommand(repos, options, ['keepopen', ...process.argv.slice(2)].join(' ')));
    });

  program
    .command('export')
    .description('the latest result of every repo: a CSV or Markdown shortlist, the JSON contract, or SARIF')
    .option('--db <file>', 'SQLite results database', './keepopen.db')
    .addOption(new Option('--format <format>', 'export format').choices(['json', 'csv', 'sarif', 'markdown']).default('json'))
    .addOption(new Option('--verdict <verdict>', 'only repos with this verdict').choices(['keep-open', 'review-needed', 'error']))
    .option('--output <file>', 'write to FILE instead of stdout')
    .action(async (options: ExportOptions) => setExit(await exportCommand(options)));

  program
    .command('merge')
    .description('merge databases (from --shard runs, or separate scans) into one: scans, repos, findings and triage, without duplicates')
    .argument('<out>', 'the database to merge into (created when missing)')
    .argument('<in...>', 'databases to merge from')
    .option('--config <file>', 'policy file, for re-triage under merged decisions (default: keepopen.config.* in the working folder)')
    .option('--quiet', 'print nothing but errors', false)
    .action(async (output: string, inputs: string[], options: MergeOptions) => setExit(await mergeCommand(output, inputs, options)));

  program
    .command('triage')
    .description('record a decision on a finding (by fingerprint), or export/import decisions as a baseline')
    .argument('[fingerprint]', 'the finding fingerprint (a unique prefix is enough)')
    .option('--db <file>', 'SQLite results database', './keepopen.db')
    .option('--status <status>', 'open | false-positive | accepted-risk | revoked')
    .option('--note <text>', 'why (kept with the decision)', '')
    .option('--who <name>', 'who decided (default: $KEEPOPEN_USER or the login name)')
    .option('--export <file>', 'write every decision to a baseline file')
    .option('--import <file>', 'apply the decisions of a baseline file (newer decisions win)')
    .option('--config <file>', 'policy file (default: keepopen.config.yaml, .yml or .json in the working folder)')
    .action(async (fingerprint: string | undefined, options: TriageCommandOptions) => setExit(await triageCommand(fingerprint, options)));

  program
    .command('ui')
    .description('browse results in the terminal: dashboard, repos by risk, findings in context; triage as you go')
    .option('--db <file>', 'SQLite results database', './keepopen.db')
    .option('--config <file>', 'policy file (default: keepopen.config.yaml, .yml or .json in the working folder)')
    .option('--cache-dir <dir>', 'the clone cache, for the context of remote repos scanned with --keep-clones')
    .option('--who <name>', 'who decides (default: $KEEPOPEN_USER or the login name)')
    .option('--reveal', "show findings' values unmasked in their context (on this terminal only; nothing is stored)", false)
    .action(async (options: UiOptions) => setExit(await uiCommand(options)));

  const rules = program.command('rules').description('list or test the detection rules');
  rules
    .command('list')
    .description('list every rule (built-in and --rules folders)')
    .option('--rules <dir>', 'extra folder of rule files (repeatable)', collect, [])
    .action((options: { rules: string[] }) => setExit(rulesListCommand(options.rules)));
  rules
    .command('test')
    .description('check every rule against its own examples and negative examples')
    .option('--rules <dir>', 'extra folder of rule files (repeatable)', collect, [])
    .action((options: { rules: string[] }) => setExit(rulesTestCommand(options.rules)));
  return program;
}

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => (exitCode = code));
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; every other parse error already printed its line.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof RuleFormatError || error instanceof StoreError) {
      process.stderr.write(`keepopen: ${error.message}\n`);
      if (debug) process.stderr.write(`${error.stack}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`keepopen: ${message.split('\n')[0]} (run again with --debug for details)\n`);
    if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT_USAGE;
  }
}

// A reader that goes away (`keepopen scan | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv);
