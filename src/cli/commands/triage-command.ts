import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { ScanStore } from '../../store/scan-store.js';
import { listDecisions, recordDecision, resolveFingerprint, type TriageDecision } from '../../store/triage-store.js';
import { loadPolicyConfig } from '../../config/policy-config.js';
import { DEFAULT_POLICY, TRIAGE_STATUSES, type TriagePolicy, type TriageStatus } from '../../triage/verdict.js';
import { UsageError } from '../../usage-error.js';

// `keepopen triage`: record a decision on a finding for people without the TUI,
// and carry decisions between databases as a baseline file.

export interface TriageCommandOptions {
  db: string;
  status?: string;
  note: string;
  who?: string;
  export?: string;
  import?: string;
  config?: string;
}

interface Baseline {
  version: 1;
  decisions: TriageDecision[];
}

function defaultWho(): string {
  try {
    return process.env.KEEPOPEN_USER || userInfo().username;
  } catch {
    return 'unknown';
  }
}

function readBaseline(file: string): TriageDecision[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read baseline ${file} (${(error as Error).message.split('\n')[0]}): give a file written by keepopen triage --export`);
  }
  const decisions = (doc as Partial<Baseline> | null)?.decisions;
  if (!Array.isArray(decisions)) throw new UsageError(`${file} is not a keepopen baseline (no "decisions" list)`);
  return decisions.map((d, i) => {
    const item = d as Partial<TriageDecision>;
    if (typeof item.fingerprint !== 'string' || !(TRIAGE_STATUSES as readonly string[]).includes(item.status as string)) {
      throw new UsageError(`${file}: decisions[${i}] needs a fingerprint and a status (${TRIAGE_STATUSES.join(', ')})`);
    }
    return { fingerprint: item.fingerprint, status: item.status as TriageStatus, note: item.note ?? '', who: item.who ?? 'unknown', at: item.at ?? new Date().toISOString() };
  });
}

export async function triageCommand(fingerprint: string | undefined, options: TriageCommandOptions): Promise<number> {
  const config = loadPolicyConfig(options.config);
  const policy: TriagePolicy = { ...DEFAULT_POLICY, reviewSeverities: new Set(config.reviewSeverities), allowFingerprints: new Set(config.allowFingerprints) };
  const store = await ScanStore.open(options.db);
  try {
    if (options.export) {
      const baseline: Baseline = { version: 1, decisions: await listDecisions(store.db) };
      writeFileSync(options.export, JSON.stringify(baseline, null, 2) + '\n');
      process.stdout.write(`exported ${baseline.decisions.length} decisions to ${options.export}\n`);
      return 0;
    }
    if (options.import) {
      const existing = new Map((await listDecisions(store.db)).map((d) => [d.fingerprint, d]));
      let applied = 0;
      for (const decision of readBaseline(options.import)) {
        const current = existing.get(decision.fingerprint);
        if (current && current.at >= decision.at) continue; // the newer decision wins
        await recordDecision(store.db, decision, policy);
        applied++;
      }
      process.stdout.write(`imported ${applied} decisions from ${options.import}\n`);
      return 0;
    }
    if (!fingerprint) throw new UsageError('give a finding FINGERPRINT (from the report or JSON), or --export/--import FILE');
    if (!options.status || !(TRIAGE_STATUSES as readonly string[]).includes(options.status)) {
      const given = options.status ? `--status ${options.status} is not a triage status` : 'give --status';
      throw new UsageError(`${given}: use one of ${TRIAGE_STATUSES.join(', ')}`);
    }
    const matches = await resolveFingerprint(store.db, fingerprint);
    if (matches.length === 0) throw new UsageError(`no finding with fingerprint ${fingerprint} in ${options.db}: copy it from the report or --format json`);
    if (matches.length > 1) throw new UsageError(`fingerprint ${fingerprint} is ambiguous (${matches.length} findings start with it): give more of it`);
    const full = matches[0]!;
    const repos = await recordDecision(store.db, { fingerprint: full, status: options.status as TriageStatus, note: options.note, who: options.who ?? defaultWho(), at: new Date().toISOString() }, policy);
    process.stdout.write(`${full}: ${options.status}; ${repos} repo result${repos === 1 ? '' : 's'} re-triaged\n`);
    return 0;
  } finally {
    await store.close();
  }
}
