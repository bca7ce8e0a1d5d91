import { createHash } from 'node:crypto';

const MAX_MASK = 16;

/**
 * A preview that is safe to print and store: a few characters at each end, the
 * middle masked. Short secrets show less, so a 6-character password shows 1+1.
 * Whitespace (multi-line keys) is dropped so the preview stays on one line.
 */
export function redact(secret: string): string {
  const flat = secret.replace(/\s+/g, '');
  const keep = Math.min(4, Math.floor(flat.length / 5));
  const masked = Math.min(MAX_MASK, Math.max(flat.length - 2 * keep, 1));
  if (keep === 0) return '*'.repeat(Math.min(MAX_MASK, Math.max(flat.length, 3)));
  return flat.slice(0, keep) + '*'.repeat(masked) + flat.slice(flat.length - keep);
}

/** Hash of a secret alone (hex sha256 with a domain prefix). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update('keepopen:secret:v1\0').update(secret).digest('hex');
}

/**
 * Finding fingerprint: the rule and the secret, nothing about where it is, so it
 * survives line moves, renames and rescans (triage decisions are keyed on it).
 */
export function fingerprintOf(ruleId: string, secret: string): string {
  return createHash('sha256')
    .update('keepopen:finding:v1\0')
    .update(ruleId)
    .update('\0')
    .update(secret)
    .digest('hex')
    .slice(0, 32);
}
