import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Detector } from '../../detect/detector.js';
import type { RuleSpec } from '../../detect/rule-types.js';
import { renderMarkdown } from '../../report/export/markdown-export.js';
import { loadRules } from '../../rules/load-rule-dirs.js';
import { latestResults } from '../../store/export-queries.js';
import type { SqliteDatabase } from '../../store/sqlite.js';
import { recordDecision } from '../../store/triage-store.js';
import {
  dashboard, filterChoices, repoDetail, repoPage,
  type Dashboard, type FilterChoices, type RepoDetail, type RepoFilter, type RepoFinding, type RepoPage,
} from '../../store/ui-queries.js';
import type { TriagePolicy, TriageStatus } from '../../triage/verdict.js';
import { readFindingFile } from '../context/read-finding-file.js';
import { redactedContext, revealedContext, type ContextLine } from '../context/redact-context.js';

// Everything the browser reads and does, over one database: the screens ask this,
// never SQL (queries live in src/store). Triage goes through recordDecision, which
// re-triages every repo holding the finding, so verdicts and counts follow at once.

export type FindingContext =
  | { kind: 'lines'; from: string; lines: ContextLine[]; revealed: boolean }
  | { kind: 'unavailable'; reason: string };

export interface BrowserSource {
  dashboard(): Promise<Dashboard>;
  filterChoices(): Promise<FilterChoices>;
  repoPage(filter: RepoFilter, offset: number, limit: number): Promise<RepoPage>;
  repo(key: string): Promise<RepoDetail | undefined>;
  findingContext(repo: RepoDetail, finding: RepoFinding): Promise<FindingContext>;
  /** Records a decision (with a note) on a finding; returns how many repo results were re-triaged. */
  decide(fingerprint: string, status: TriageStatus, note: string): Promise<number>;
  /** Writes the keep-open shortlist (Markdown) and says where. */
  exportShortlist(): Promise<{ path: string; repos: number }>;
}

export interface StoreSourceOptions {
  /** The policy decisions are re-triaged under (severities that count, central allowlist). */
  policy: TriagePolicy;
  /** Who decides, kept with each decision. */
  who: string;
  /** Where the shortlist is written. */
  cwd: string;
  /** The clone cache, for remote repos' context. */
  cacheDir: string;
  /** Rule folders and specs beyond the built-in rules (the policy's), so context masking finds what the scan found. */
  ruleDirs?: string[];
  extraSpecs?: RuleSpec[];
  now?: () => Date;
  /** Show context unmasked (`keepopen ui --reveal`): the only way keepopen ever shows a secret, and only on a terminal. */
  reveal?: boolean;
}

export const SHORTLIST_FILE = 'keepopen-shortlist.md';

export function storeBrowserSource(db: SqliteDatabase, options: StoreSourceOptions): BrowserSource {
  let detector: Detector | undefined;
  // Built on first use: the dashboard and lists never need the rules.
  const detectorFor = () => (detector ??= new Detector(loadRules(options.ruleDirs ?? [], options.extraSpecs ?? []), { excludePaths: [] }));
  const now = options.now ?? (() => new Date());
  return {
    dashboard: () => dashboard(db),
    filterChoices: () => filterChoices(db),
    repoPage: (filter, offset, limit) => repoPage(db, filter, { offset, limit }),
    repo: (key) => repoDetail(db, key),
    async findingContext(repo, finding) {
      const file = await readFindingFile({ key: repo.key, headCommit: finding.commit ?? repo.headCommit }, finding.path, options.cacheDir);
      if (file.kind === 'unavailable') return file;
      if (options.reveal) return { kind: 'lines', from: file.from, lines: revealedContext({ text: file.text, finding }), revealed: true };
      const others = detectorFor().scanText(finding.path, file.text).findings.map((f) => ({ line: f.line, column: f.column }));
      return { kind: 'lines', from: file.from, lines: redactedContext({ text: file.text, finding, others }), revealed: false };
    },
    decide: (fingerprint, status, note) => recordDecision(db, { fingerprint, status, note, who: options.who, at: now().toISOString() }, options.policy),
    async exportShortlist() {
      const set = await latestResults(db, 'keep-open');
      const path = join(options.cwd, SHORTLIST_FILE);
      writeFileSync(path, renderMarkdown(set, 'keep-open'));
      return { path, repos: set.repos.length };
    },
  };
}
