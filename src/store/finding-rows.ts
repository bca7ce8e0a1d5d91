import type { Category, Confidence, Finding, Severity } from '../detect/rule-types.js';

// Findings as stored, back to the shape the pure core and triage use.

export interface FindingRow {
  rule_id: string;
  title: string;
  category: string;
  severity: string;
  confidence: string;
  path: string;
  line: number;
  col: number;
  fingerprint: string;
  secret_hash: string;
  redacted: string;
  suppressed_by: string | null;
  suppressed_line: number | null;
  commit_id: string | null;
  in_history_only: number;
}

export const FINDING_COLUMNS =
  'f.rule_id, f.title, f.category, f.severity, f.confidence, f.path, f.line, f.col, f.fingerprint, f.secret_hash, f.redacted, f.suppressed_by, f.suppressed_line, f.commit_id, f.in_history_only';

export function findingFromRow(row: FindingRow): Finding {
  return {
    ruleId: row.rule_id, title: row.title, category: row.category as Category, severity: row.severity as Severity,
    confidence: row.confidence as Confidence, path: row.path, line: row.line, column: row.col, fingerprint: row.fingerprint,
    secretHash: row.secret_hash, redacted: row.redacted,
    ...(row.suppressed_by !== null ? { suppressedBy: { marker: row.suppressed_by, line: row.suppressed_line ?? 0 } } : {}),
    ...(row.commit_id !== null ? { commit: row.commit_id } : {}),
    ...(row.in_history_only === 1 ? { inHistoryOnly: true } : {}),
  };
}
