// Content that looks random but is never a secret: lockfile integrity hashes,
// data: URIs (inline images and fonts), SVG path data. It is blanked out with
// spaces of the same length before any rule runs, so offsets, lines and columns
// of everything else stay exact.
//
// Each kind of noise has marker strings; the detector's keyword prefilter looks
// for them in the same pass as the rules' keywords, so a file with no noise (most
// files) costs nothing here.

export interface NoiseKind {
  markers: string[];
  regex: RegExp;
  /** Only in files whose path matches (SVG path data is only noise in markup). */
  path?: RegExp;
  /** Every match holds one of the markers as it is, so a match found is a marker present. */
  literalMarkers?: boolean;
  /**
   * The regex matches ASCII characters only, and treats any other character as neither word nor
   * match: it finds the same matches in a UTF-8 file's bytes (read as Latin-1) as in its text.
   * Not so where `\s` may match non-ASCII spaces.
   */
  bytesSafe: boolean;
  /**
   * The same matches as `regex`, found by hand in bytes: lockfiles hold one per line, and a
   * regex's cost per match (its match array) is most of masking them.
   */
  findBytes?: (bytes: Uint8Array, ranges: number[]) => void;
}

/** [A-Za-z0-9_]: what `\b` (without the u flag) calls a word character; and [A-Za-z0-9+/], base64. */
const WORD = new Uint8Array(256);
const BASE64 = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') {
  WORD[c.charCodeAt(0)] = 1;
  BASE64[c.charCodeAt(0)] = 1;
}
WORD[95] = 1; // _
BASE64[43] = 1; // +
BASE64[47] = 1; // /

/**
 * `/\b(?:sha1|sha256|sha384|sha512)-[A-Za-z0-9+/]{27,88}={0,2}/g` over bytes, by hand (see
 * `findBytes`): from one '-' to the next (far rarer than the 's' a match starts with), looking
 * back for the algorithm's name. Matches come out in order, none starting inside the one before.
 */
function integrityHashes(b: Uint8Array, ranges: number[]): void {
  const n = b.length;
  let last = 0;
  for (let p = b.indexOf(0x2d); p !== -1; p = p + 1 < n ? b.indexOf(0x2d, p + 1) : -1) {
    let start = -1;
    if (p >= 4 && b[p - 1] === 0x31 && b[p - 2] === 0x61 && b[p - 3] === 0x68 && b[p - 4] === 0x73) start = p - 4; // sha1-
    else if (p >= 6 && b[p - 4] === 0x61 && b[p - 5] === 0x68 && b[p - 6] === 0x73) {
      const c1 = b[p - 3];
      const c2 = b[p - 2];
      const c3 = b[p - 1];
      if ((c1 === 0x32 && c2 === 0x35 && c3 === 0x36) || (c1 === 0x33 && c2 === 0x38 && c3 === 0x34) || (c1 === 0x35 && c2 === 0x31 && c3 === 0x32)) {
        start = p - 6; // sha256- sha384- sha512-
      }
    }
    if (start === -1 || start < last || (start > 0 && WORD[b[start - 1]!] === 1)) continue; // no \b before 's'
    const limit = Math.min(n, p + 1 + 88);
    let end = p + 1;
    while (end < limit && BASE64[b[end]!] === 1) end++;
    if (end - (p + 1) < 27) continue;
    if (b[end] === 0x3d) end += b[end + 1] === 0x3d ? 2 : 1; // ={0,2}
    ranges.push(start, end);
    last = end;
    p = end - 1;
  }
}

export const NOISE_KINDS: readonly NoiseKind[] = [
  { markers: ['sha1-', 'sha256-', 'sha384-', 'sha512-'], regex: /\b(?:sha1|sha256|sha384|sha512)-[A-Za-z0-9+/]{27,88}={0,2}/g, literalMarkers: true, bytesSafe: true, findBytes: integrityHashes },
  { markers: ['sha1:', 'sha256:', 'sha512:', 'md5:'], regex: /\b(?:sha256|sha512|sha1|md5):[0-9a-f]{32,128}\b/g, literalMarkers: true, bytesSafe: true },
  { markers: ['h1:'], regex: /\bh1:[A-Za-z0-9+/]{43}=/g, literalMarkers: true, bytesSafe: true },
  { markers: ['base64,'], regex: /\bdata:[a-z]{1,20}\/[a-z0-9.+-]{1,60}(?:;[a-z0-9-]{1,30}=[a-z0-9-]{1,30}){0,3};base64,[A-Za-z0-9+/]{16,}={0,2}/gi, bytesSafe: true },
  { markers: [' d="'], regex: /\sd="[MmLlHhVvCcSsQqTtAaZz0-9.,\s+-]{16,}"/g, path: /\.(?:svg|xml|html?|vue|jsx|tsx|xaml)$/i, bytesSafe: false },
];

/** Appends the [start, end) offsets of every match of `kind` in `text`, in order, to `ranges`. */
export function noiseRanges(kind: NoiseKind, text: string, ranges: number[]): void {
  const regex = kind.regex;
  regex.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(text)) !== null) {
    if (match[0].length === 0) regex.lastIndex++; // as String.prototype.replace does
    else ranges.push(match.index, match.index + match[0].length);
  }
}

const SPACES = ' '.repeat(256);

/** `text` with each [start, end) range of `ranges` (in order, not overlapping) replaced by as many spaces. */
export function blankRanges(text: string, ranges: readonly number[]): string {
  if (ranges.length === 0) return text;
  const parts: string[] = [];
  let last = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const start = ranges[i]!;
    const length = ranges[i + 1]! - start;
    parts.push(text.slice(last, start), length <= SPACES.length ? SPACES.slice(0, length) : ' '.repeat(length));
    last = start + length;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

/** The text with the given kinds of noise blanked (same length), kind after kind. */
export function maskNoise(path: string, text: string, kinds: Iterable<NoiseKind> = NOISE_KINDS): string {
  let out = text;
  for (const kind of kinds) {
    if (kind.path && !kind.path.test(path)) continue;
    if (!kind.markers.some((m) => out.includes(m))) continue;
    const ranges: number[] = [];
    noiseRanges(kind, out, ranges);
    out = blankRanges(out, ranges);
  }
  return out;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * `maskNoise` on a UTF-8 file's bytes, for kinds that are `bytesSafe`: the bytes with the noise
 * blanked (a copy), or undefined when there was none. Blanking ASCII bytes with spaces blanks the
 * same characters of the decoded text, so decoding the result gives `maskNoise` of the text.
 */
export function maskNoiseBytes(path: string, bytes: Uint8Array, kinds: Iterable<NoiseKind>): Uint8Array | undefined {
  let out: Buffer | undefined;
  for (const kind of kinds) {
    if (kind.path && !kind.path.test(path)) continue;
    if (!kind.bytesSafe) throw new Error('maskNoiseBytes: a kind that is not bytesSafe');
    const current = out ?? asBuffer(bytes);
    if (!kind.literalMarkers && !kind.markers.some((m) => current.includes(m))) continue;
    const ranges: number[] = [];
    if (kind.findBytes) kind.findBytes(current, ranges);
    else noiseRanges(kind, current.toString('latin1'), ranges);
    if (ranges.length === 0) continue;
    out ??= Buffer.from(current); // a copy: the caller's bytes are left alone
    for (let i = 0; i < ranges.length; i += 2) out.fill(32, ranges[i]!, ranges[i + 1]!);
  }
  return out;
}

/** For each byte (ASCII letters folded), the [marker, index] pairs of the other kinds' markers (not kind 0's) holding it past their first character. */
const LATER_MARKER_BYTES: [string, number][][] = (() => {
  const table: [string, number][][] = Array.from({ length: 256 }, () => []);
  for (const kind of NOISE_KINDS.slice(1)) {
    for (const marker of kind.markers) {
      for (let j = 1; j < marker.length; j++) table[marker.charCodeAt(j)]!.push([marker, j]);
    }
  }
  return table;
})();

const fold = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Whether a marker of another kind than integrity hashes (case-insensitively, as the prefilter
 * finds them) starts inside one of `ranges` (integrity hashes found in `bytes`) and ends past it:
 * blanking the hashes first would then hide a marker the text holds. Only a range's end can be
 * crossed: every such marker holds a ':', ',', ' ' or '"', which no integrity hash does.
 */
export function markerCrossesRangeEnd(bytes: Uint8Array, ranges: readonly number[]): boolean {
  for (let r = 1; r < ranges.length; r += 2) {
    const end = ranges[r]!;
    if (end >= bytes.length) continue;
    for (const [marker, j] of LATER_MARKER_BYTES[fold(bytes[end]!)]!) {
      const start = end - j;
      if (start + marker.length > bytes.length) continue;
      let k = 0;
      while (k < marker.length && fold(bytes[start + k]!) === marker.charCodeAt(k)) k++;
      if (k === marker.length) return true;
    }
  }
  return false;
}
