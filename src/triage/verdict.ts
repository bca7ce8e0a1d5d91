import type { Category, Finding, Severity } from '../detect/rule-types.js';

// findings + policy -> verdict and reasons a person can act on. Pure.

export type Verdict = 'keep-open' | 'review-needed' | 'error';

export interface NotScannedFile {
  path: string;
  reason: string;
}

export const TRIAGE_STATUSES = ['open', 'false-positive', 'accepted-risk', 'revoked'] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];
/** Decisions that take a finding out of the verdict. A revoked credential still sits in public code, so it still counts. */
const NOT_COUNTED: ReadonlySet<TriageStatus> = new Set(['false-positive', 'accepted-risk']);

export interface TriagePolicy {
  /** Severities that make a repo review-needed (default high and medium). */
  reviewSeverities: ReadonlySet<Severity>;
  /** Ignore the repo's own suppressions (inline comments, its .keepopen.yaml): a central triage is not hidden by the repo it judges. */
  strict: boolean;
  /** Recorded triage decisions, by finding fingerprint (central: they apply under --strict too). */
  decisions?: ReadonlyMap<string, TriageStatus>;
  /** Fingerprints the central policy (keepopen.config.yaml) allowlists. */
  allowFingerprints?: ReadonlySet<string>;
}

export const DEFAULT_POLICY: TriagePolicy = { reviewSeverities: new Set<Severity>(['high', 'medium']), strict: false };

export interface TriageInput {
  findings: readonly Finding[];
  notScanned: readonly NotScannedFile[];
  historyScanned: boolean;
  /** Set when the scan of the repo did not complete: the verdict is then error, never keep-open. */
  error?: string;
  empty?: boolean;
  /** A plain folder (no git; see isPlainFolder): there is no history to scan, which is said differently from a history left unscanned. */
  notGit?: boolean;
}

export interface TriageOutcome {
  verdict: Verdict;
  reasons: string[];
}

const CATEGORY_NOUN: Record<Category, [singular: string, plural: string]> = {
  credential: ['credential', 'credentials'],
  'private-key': ['private key', 'private keys'],
  infrastructure: ['infrastructure finding', 'infrastructure findings'],
  'personal-data': ['personal data finding', 'personal data findings'],
};
const CATEGORY_ORDER: Category[] = ['credential', 'private-key', 'personal-data', 'infrastructure'];
const MAX_LISTED = 3;

function where(f: Finding): string {
  return `${f.ruleId} in ${f.path}:${f.line}`;
}

/** "2 credentials (aws-access-key-id in infra/main.tf:12, github-token in .env:3)" */
function describe(category: Category, findings: Finding[], prefix = ''): string {
  const [one, many] = CATEGORY_NOUN[category];
  const listed = findings.slice(0, MAX_LISTED).map(where);
  const more = findings.length > MAX_LISTED ? `, and ${findings.length - MAX_LISTED} more` : '';
  return `${prefix}${findings.length} ${findings.length === 1 ? one : many} (${listed.join(', ')}${more})`;
}

/**
 * Infrastructure is about what a file maps, so it is told per file:
 * "infrastructure map: 37 private-ipv4-in-config in docs/network.md (lines 3, 4, 9, ...)".
 */
function describeMaps(findings: Finding[]): string[] {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
  const files = [...byPath].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const reasons = files.slice(0, MAX_LISTED).map(([path, list]) => {
    const rules = [...new Set(list.map((f) => f.ruleId))];
    const what = rules.length === 1 ? `${list.length} ${rules[0]}` : `${list.length} findings (${rules.join(', ')})`;
    const lines = [...new Set(list.map((f) => f.line))].sort((a, b) => a - b);
    const shown = lines.slice(0, 5).join(', ') + (lines.length > 5 ? ', ...' : '');
    return `infrastructure map: ${what} in ${path} (line${lines.length === 1 ? '' : 's'} ${shown})`;
  });
  if (files.length > MAX_LISTED) {
    const rest = files.slice(MAX_LISTED);
    reasons.push(`infrastructure map: ${rest.reduce((n, [, l]) => n + l.length, 0)} more findings in ${rest.length} more file${rest.length === 1 ? '' : 's'}`);
  }
  return reasons;
}

/** "3 findings suppressed by the repo itself (keepopen:allow: 2, .keepopen.yaml path: 1; aws-access-key-id in a.tf:3, ...)" */
function describeSuppressed(findings: Finding[]): string {
  const byMarker = new Map<string, number>();
  for (const f of findings) byMarker.set(f.suppressedBy!.marker, (byMarker.get(f.suppressedBy!.marker) ?? 0) + 1);
  const markers = [...byMarker].map(([marker, n]) => `${marker}: ${n}`).join(', ');
  const listed = findings.slice(0, MAX_LISTED).map(where).join(', ');
  const more = findings.length > MAX_LISTED ? `, and ${findings.length - MAX_LISTED} more` : '';
  return `${findings.length} finding${findings.length === 1 ? '' : 's'} suppressed by the repo itself, not counted (${markers}; ${listed}${more}); use --strict to count them`;
}

/** "2 findings triaged, not counted (false-positive: 1, accepted-risk: 1; aws-access-key-id in a.tf:3, ...)" */
function describeTriaged(findings: Finding[], policy: TriagePolicy): string {
  const byStatus = new Map<string, number>();
  for (const f of findings) {
    const status = policy.decisions?.get(f.fingerprint);
    const label = status !== undefined && NOT_COUNTED.has(status) ? status : 'allowlisted by policy';
    byStatus.set(label, (byStatus.get(label) ?? 0) + 1);
  }
  const statuses = [...byStatus].map(([s, n]) => `${s}: ${n}`).join(', ');
  const listed = findings.slice(0, MAX_LISTED).map(where).join(', ');
  const more = findings.length > MAX_LISTED ? `, and ${findings.length - MAX_LISTED} more` : '';
  return `${findings.length} finding${findings.length === 1 ? '' : 's'} triaged, not counted (${statuses}; ${listed}${more})`;
}

/**
 * Findings only history holds, one reason per place they first appeared:
 * "aws-access-key-id in history only (first seen in 1a2b3c4d5e6f config/prod.env): revoke it; rewrite history before keeping this repo public".
 * Infrastructure and personal data cannot be revoked, only removed, so they get the second half alone.
 */
function describeHistoryOnly(findings: Finding[]): string[] {
  const byPlace = new Map<string, Finding[]>();
  for (const f of findings) {
    const place = `${f.commit ?? ''} ${f.path}`;
    byPlace.set(place, [...(byPlace.get(place) ?? []), f]);
  }
  const places = [...byPlace.values()].sort((a, b) => CATEGORY_ORDER.indexOf(a[0]!.category) - CATEGORY_ORDER.indexOf(b[0]!.category));
  const reasons = places.slice(0, MAX_LISTED).map((list) => {
    const first = list[0]!;
    const rules = [...new Set(list.map((f) => f.ruleId))];
    const what = list.length === 1 ? first.ruleId : `${list.length} findings (${rules.join(', ')})`;
    const revocable = list.some((f) => f.category === 'credential' || f.category === 'private-key');
    const action = revocable ? 'revoke it; rewrite history before keeping this repo public' : 'rewrite history before keeping this repo public';
    return `${what} in history only (first seen in ${(first.commit ?? 'unknown').slice(0, 12)} ${first.path}): ${action}`;
  });
  if (places.length > MAX_LISTED) {
    const rest = places.slice(MAX_LISTED);
    reasons.push(`and ${rest.reduce((n, l) => n + l.length, 0)} more findings in history only, in ${rest.length} more places: rewrite history before keeping this repo public`);
  }
  return reasons;
}

function byCategory(findings: readonly Finding[]): Map<Category, Finding[]> {
  const groups = new Map<Category, Finding[]>();
  for (const category of CATEGORY_ORDER) {
    const inCategory = findings.filter((f) => f.category === category);
    if (inCategory.length > 0) groups.set(category, inCategory);
  }
  return groups;
}

function notScannedReason(files: readonly NotScannedFile[]): string | undefined {
  // Vendored folders are excluded by policy and are not "missing" content.
  const missing = files.filter((f) => f.reason !== 'excluded-path');
  if (missing.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const f of missing) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
  const examples = missing.slice(0, MAX_LISTED).map((f) => f.path).join(', ');
  return `not scanned: ${missing.length} file${missing.length === 1 ? '' : 's'} (${parts}: ${examples}${missing.length > MAX_LISTED ? ', ...' : ''})`;
}

/**
 * A result with no HEAD commit that is not an empty repo came from a plain folder: git
 * always has a HEAD once it has a commit. Told from what every result records, so the
 * scan, a re-triage from the database and the labels below agree.
 */
export function isPlainFolder(headCommit: string | null, empty = false): boolean {
  return headCommit === null && !empty;
}

/**
 * The verdict as people read it: a keep-open that did not look at history says so, and
 * one with no commit at all (a plain folder) says only its files were read.
 */
export function verdictLabel(verdict: string, historyScanned: boolean, headCommit?: string | null): string {
  if (verdict !== 'keep-open' || historyScanned) return verdict;
  return headCommit === null ? 'keep-open (files only)' : 'keep-open (HEAD only)';
}

export function triage(input: TriageInput, policy: TriagePolicy = DEFAULT_POLICY): TriageOutcome {
  if (input.error !== undefined) {
    return { verdict: 'error', reasons: [`scan failed: ${input.error}`] };
  }
  // Central decisions first (they hold under --strict), then the repo's own suppressions.
  const decidedAway = (f: Finding) =>
    policy.allowFingerprints?.has(f.fingerprint) === true || NOT_COUNTED.has(policy.decisions?.get(f.fingerprint) ?? 'open');
  const triaged = input.findings.filter(decidedAway);
  const undecided = input.findings.filter((f) => !decidedAway(f));
  const suppressed = policy.strict ? [] : undecided.filter((f) => f.suppressedBy !== undefined);
  const active = policy.strict ? undecided : undecided.filter((f) => f.suppressedBy === undefined);
  const counted = active.filter((f) => policy.reviewSeverities.has(f.severity));
  const uncounted = active.filter((f) => !policy.reviewSeverities.has(f.severity));
  const reasons: string[] = [];
  const countedAtHead = counted.filter((f) => !f.inHistoryOnly);
  for (const [category, findings] of byCategory(countedAtHead)) {
    if (category === 'infrastructure') reasons.push(...describeMaps(findings));
    else reasons.push(describe(category, findings));
  }
  reasons.push(...describeHistoryOnly(counted.filter((f) => f.inHistoryOnly)));
  for (const [category, findings] of byCategory(uncounted)) reasons.push(describe(category, findings, 'low severity, not counted: '));
  if (triaged.length > 0) reasons.push(describeTriaged(triaged, policy));
  if (suppressed.length > 0) reasons.push(describeSuppressed(suppressed));
  const notScanned = notScannedReason(input.notScanned);
  if (notScanned) reasons.push(notScanned);
  if (input.empty) reasons.push('empty repository: no commits');
  if (input.notGit) reasons.push('not a git repository: the files on disk were scanned; any history lives elsewhere');
  else if (!input.historyScanned) reasons.push('HEAD only: history not scanned');
  return { verdict: counted.length > 0 ? 'review-needed' : 'keep-open', reasons };
}
