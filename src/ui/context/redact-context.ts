// The lines around a finding, safe to show: the finding's own value is replaced by
// its stored redacted preview, and anything else on those lines that could be a
// secret is masked too. Only the redacted preview and the position are stored, not
// the value's length, so a value is masked from its column to the end of its token
// (the run of characters up to whitespace or a quote): masking too much is safe,
// too little is not.

export interface ContextLine {
  /** 1-based line number in the file. */
  number: number;
  text: string;
  /** The finding's own line. */
  isFinding: boolean;
  /** On the finding's line: where (0-based, in `text`) its masked value starts, so a view can scroll to it. */
  focus?: number;
}

/** Where a secret starts: 1-based line and column, as findings record them. */
export interface SecretPosition {
  line: number;
  column: number;
}

interface Mask {
  start: number;
  end: number;
  replacement?: string;
}

const TOKEN_END = /[\s'"`]/;
/** Base64, hex or key-like runs: long, with both letters and digits. Identifiers rarely have both at this length. */
const KEY_LIKE = /[A-Za-z0-9+/_-]{20,}={0,2}/g;
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----/;
const PEM_END = /-----END [A-Z0-9 ]*-----/;
const STAR_LIMIT = 16;

function stars(length: number): string {
  return '*'.repeat(Math.max(3, Math.min(STAR_LIMIT, length)));
}

/** From `start` (0-based) to the end of the token. */
function tokenMask(text: string, start: number, replacement?: string): Mask | undefined {
  if (start < 0 || start >= text.length) return undefined;
  let end = start;
  while (end < text.length && !TOKEN_END.test(text[end]!)) end++;
  if (end === start) end = Math.min(text.length, start + 1);
  return { start, end, ...(replacement !== undefined ? { replacement } : {}) };
}

function keyLikeMasks(text: string): Mask[] {
  const masks: Mask[] = [];
  for (const match of text.matchAll(KEY_LIKE)) {
    if (/[0-9]/.test(match[0]) && /[A-Za-z]/.test(match[0])) masks.push({ start: match.index, end: match.index + match[0].length });
  }
  return masks;
}

/** Lines (0-based) inside a private key block, between its BEGIN and END lines: every one of them is key material. */
function privateKeyBodyLines(lines: string[]): Set<number> {
  const inside = new Set<number>();
  let open = false;
  lines.forEach((line, index) => {
    if (!open && PEM_BEGIN.test(line)) {
      open = !PEM_END.test(line.slice(line.search(PEM_BEGIN) + 10));
      return;
    }
    if (open) {
      if (PEM_END.test(line)) open = false;
      else inside.add(index);
    }
  });
  return inside;
}

/**
 * Applies masks: overlapping ones merge into one run of stars, except that the
 * finding's own mask (with its preview) wins and the others are cut around it, so
 * the name before the value ("AWS_ACCESS_KEY_ID=") stays readable.
 */
function applyMasks(text: string, masks: Mask[], own?: Mask): { text: string; ownAt: number | undefined } {
  const pieces: Mask[] = [];
  for (const mask of masks) {
    if (!own || mask.end <= own.start || mask.start >= own.end) pieces.push({ ...mask });
    else {
      if (mask.start < own.start) pieces.push({ start: mask.start, end: own.start });
      if (mask.end > own.end) pieces.push({ start: own.end, end: mask.end });
    }
  }
  const merged: Mask[] = [];
  for (const mask of pieces.filter((m) => m.end > m.start).sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && mask.start <= last.end) last.end = Math.max(last.end, mask.end);
    else merged.push(mask);
  }
  if (own) merged.push(own);
  merged.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  let ownAt: number | undefined;
  for (const mask of merged) {
    out += text.slice(at, mask.start);
    if (mask === own) ownAt = out.length;
    out += mask.replacement ?? stars(mask.end - mask.start);
    at = mask.end;
  }
  return { text: out + text.slice(at), ownAt };
}

export interface RedactContextInput {
  text: string;
  finding: SecretPosition & { redacted: string };
  /** Other secrets the detector finds in the same text (positions only). */
  others: SecretPosition[];
  /** Lines shown before and after the finding's line. */
  radius?: number;
}

export function redactedContext({ text, finding, others, radius = 3 }: RedactContextInput): ContextLine[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const first = Math.max(1, finding.line - radius);
  const last = Math.min(lines.length, finding.line + radius);
  const keyBody = privateKeyBodyLines(lines);
  // A binary preview ("<binary, 120 bytes>") says nothing about the text: stars instead.
  const preview = finding.redacted.startsWith('<') ? undefined : finding.redacted;
  const out: ContextLine[] = [];
  for (let number = first; number <= last; number++) {
    const raw = lines[number - 1] ?? '';
    let shown: string;
    let focus: number | undefined;
    if (keyBody.has(number - 1)) {
      const indent = /^\s*/.exec(raw)![0];
      shown = raw.trim() === '' ? raw : indent + (number === finding.line && preview ? preview : stars(raw.length - indent.length));
      if (number === finding.line) focus = indent.length;
    } else {
      const masks: Mask[] = keyLikeMasks(raw);
      for (const other of others) {
        if (other.line !== number) continue;
        const mask = tokenMask(raw, other.column - 1);
        if (mask) masks.push(mask);
      }
      const own = number === finding.line ? tokenMask(raw, finding.column - 1, preview) : undefined;
      const masked = applyMasks(raw, masks, own);
      shown = masked.text;
      focus = masked.ownAt;
    }
    // Tabs become two spaces (a terminal's tab stops would break the columns); the focus moves with them.
    const tabsBefore = focus === undefined ? 0 : (shown.slice(0, focus).match(/\t/g) ?? []).length;
    out.push({
      number, text: shown.replace(/\t/g, '  '), isFinding: number === finding.line,
      ...(focus !== undefined ? { focus: focus + tabsBefore } : {}),
    });
  }
  return out;
}

/**
 * The same lines with nothing masked, for `keepopen ui --reveal` only: a person in
 * front of a terminal asked to see the value (to revoke it, or to judge a match).
 */
export function revealedContext({ text, finding, radius = 3 }: Omit<RedactContextInput, 'others'>): ContextLine[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: ContextLine[] = [];
  for (let number = Math.max(1, finding.line - radius); number <= Math.min(lines.length, finding.line + radius); number++) {
    const isFinding = number === finding.line;
    out.push({ number, text: lines[number - 1] ?? '', isFinding, ...(isFinding ? { focus: Math.max(0, finding.column - 1) } : {}) });
  }
  return out;
}
