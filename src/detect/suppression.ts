// Inline suppression comments: a repo's own way to say "this is not a secret".
// keepopen's marker, and those of the tools teams migrate from, on the finding's
// line or the line before. Suppressed findings are kept and marked, never dropped.

export const SUPPRESSION_MARKERS = ['keepopen:allow', 'gitleaks:allow', 'pragma: allowlist secret', 'trufflehog:ignore', 'kingfisher:ignore'];

const MARKER = /keepopen:allow|gitleaks:allow|pragma:\s*allowlist[ -]secret|trufflehog:ignore|kingfisher:ignore/i;

/** The marker on `line` (1-based) of text whose line starts are `starts`, if any. */
export function markerOnLine(text: string, starts: readonly number[], line: number): string | undefined {
  const start = starts[line - 1];
  if (start === undefined) return undefined;
  const end = line < starts.length ? starts[line]! : text.length;
  // Only look at a bounded slice: a marker belongs in a comment, near the start or end of the line.
  const slice = end - start > 4096 ? text.slice(start, start + 2048) + text.slice(end - 2048, end) : text.slice(start, end);
  const match = MARKER.exec(slice);
  return match ? match[0].toLowerCase().replace(/\s+/g, ' ').replace('allowlist-secret', 'allowlist secret') : undefined;
}
