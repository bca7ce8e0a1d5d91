import { resolve } from 'node:path';
import { loadPolicyConfig } from '../../config/policy-config.js';
import { mergeDatabases } from '../../store/merge-databases.js';
import { DEFAULT_POLICY } from '../../triage/verdict.js';
import { UsageError } from '../../usage-error.js';

// `keepopen merge OUT.db IN.db...`: the shards' databases into one.

export interface MergeOptions {
  config?: string;
  quiet: boolean;
}

export async function mergeCommand(output: string, inputs: string[], options: MergeOptions): Promise<number> {
  if (inputs.length === 0) throw new UsageError('nothing to merge: give the output database, then one or more input databases');
  if (inputs.some((input) => resolve(input) === resolve(output))) throw new UsageError(`${output} is both the output and an input: give a different output path`);
  const config = loadPolicyConfig(options.config);
  const summary = await mergeDatabases(output, inputs, { ...DEFAULT_POLICY, reviewSeverities: new Set(config.reviewSeverities) });
  if (!options.quiet) {
    process.stderr.write(
      `keepopen: merged ${summary.inputs} database${summary.inputs === 1 ? '' : 's'} into ${output}: ` +
        `${summary.scans} scans, ${summary.repoResults} repo results, ${summary.findings} findings, ${summary.decisions} triage decisions added\n`,
    );
  }
  return 0;
}
