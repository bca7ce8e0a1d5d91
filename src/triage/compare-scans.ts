import type { Finding } from '../detect/rule-types.js';
import type { NotScannedFile } from './verdict.js';

// What changed in a repo between two scans, by finding fingerprint (rule + secret):
// the same secret at the same place is still present; at another place it moved;
// gone is fixed (at HEAD: history still holds it); never seen before is new. Pure.

export interface FindingPlace {
  fingerprint: string;
  ruleId: string;
  path: string;
  line: number;
}

export interface MovedFinding extends FindingPlace {
  from: { path: string; line: number };
}

export interface RepoChanges {
  fixed: FindingPlace[];
  stillPresent: FindingPlace[];
  moved: MovedFinding[];
  new: FindingPlace[];
}

const place = (f: Finding): FindingPlace => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, path: f.path, line: f.line });
const at = (f: { path: string; line: number }) => `${f.path}:${f.line}`;

export function compareFindings(previous: readonly Finding[], current: readonly Finding[]): RepoChanges {
  const changes: RepoChanges = { fixed: [], stillPresent: [], moved: [], new: [] };
  const group = (list: readonly Finding[]) => {
    const map = new Map<string, Finding[]>();
    for (const f of list) map.set(f.fingerprint, [...(map.get(f.fingerprint) ?? []), f]);
    return map;
  };
  const before = group(previous);
  const after = group(current);
  for (const fingerprint of new Set([...before.keys(), ...after.keys()])) {
    const was = [...(before.get(fingerprint) ?? [])];
    const now = [...(after.get(fingerprint) ?? [])];
    // Same place: still present.
    for (const f of [...now]) {
      const same = was.findIndex((w) => at(w) === at(f));
      if (same !== -1) {
        changes.stillPresent.push(place(f));
        was.splice(same, 1);
        now.splice(now.indexOf(f), 1);
      }
    }
    // Same secret elsewhere: moved (a line shift, a rename); the rest are fixed or new.
    while (was.length > 0 && now.length > 0) {
      const from = was.shift()!;
      const to = now.shift()!;
      changes.moved.push({ ...place(to), from: { path: from.path, line: from.line } });
    }
    changes.fixed.push(...was.map(place));
    changes.new.push(...now.map(place));
  }
  const order = (a: FindingPlace, b: FindingPlace) => a.path.localeCompare(b.path) || a.line - b.line;
  changes.fixed.sort(order);
  changes.stillPresent.sort(order);
  changes.moved.sort(order);
  changes.new.sort(order);
  return changes;
}

/** The plain warning every fix at HEAD needs: the secret is still in the history anyone can clone. */
export function fixedReason(fixed: readonly FindingPlace[], historyScanned: boolean): string | undefined {
  if (fixed.length === 0) return undefined;
  const listed = fixed.slice(0, 3).map((f) => `${f.ruleId} in ${f.path}:${f.line}`).join(', ');
  const more = fixed.length > 3 ? `, and ${fixed.length - 3} more` : '';
  const history = historyScanned
    ? ': gone from every ref (branches, tags, pull requests), history included; a credential that was ever public must still be revoked'
    : ': removed at HEAD but still in git history; revoke the credential, and rewrite history if this repo stays public';
  return `${fixed.length} finding${fixed.length === 1 ? '' : 's'} fixed since the last scan (${listed}${more})${history}`;
}

/** A repo's last recorded result, as the store keeps it. */
export interface PreviousResult {
  scanId: string;
  headCommit: string | null;
  verdict: string;
  historyScanned: boolean;
  findings: Finding[];
  notScanned: NotScannedFile[];
  empty: boolean;
  extraReasons: string[];
  /** What its findings were made with besides repo content (null: not recorded, by an older keepopen). */
  detectionDigest: string | null;
}

