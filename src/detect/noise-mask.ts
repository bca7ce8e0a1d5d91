// Content that looks random but is never a secret: lockfile integrity hashes,
// data: URIs (inline images and fonts), SVG path data. It is blanked out with
// spaces of the same length before any rule runs, so offsets, lines and columns
// of everything else stay exact.
//
// Each kind of noise has marker strings; the detector's keyword prefilter looks
// for them in the same pass as the rules' keywords, so a file with no noise (most
// files) costs nothing here.

interface NoiseKind {
  markers: string[];
  regex: RegExp;
  /** Only in files whose path matches (SVG path data is only noise in markup). */
  path?: RegExp;
}

export const NOISE_KINDS: readonly NoiseKind[] = [
  { markers: ['sha1-', 'sha256-', 'sha384-', 'sha512-'], regex: /\b(?:sha1|sha256|sha384|sha512)-[A-Za-z0-9+/]{27,88}={0,2}/g },
  { markers: ['sha1:', 'sha256:', 'sha512:', 'md5:'], regex: /\b(?:sha256|sha512|sha1|md5):[0-9a-f]{32,128}\b/g },
  { markers: ['h1:'], regex: /\bh1:[A-Za-z0-9+/]{43}=/g },
  { markers: ['base64,'], regex: /\bdata:[a-z]{1,20}\/[a-z0-9.+-]{1,60}(?:;[a-z0-9-]{1,30}=[a-z0-9-]{1,30}){0,3};base64,[A-Za-z0-9+/]{16,}={0,2}/gi },
  { markers: [' d="'], regex: /\sd="[MmLlHhVvCcSsQqTtAaZz0-9.,\s+-]{16,}"/g, path: /\.(?:svg|xml|html?|vue|jsx|tsx|xaml)$/i },
];

function blank(text: string, regex: RegExp): string {
  return text.replace(regex, (m) => ' '.repeat(m.length));
}

/** The text with the given kinds of noise blanked (same length). */
export function maskNoise(path: string, text: string, kinds: Iterable<NoiseKind> = NOISE_KINDS): string {
  let out = text;
  for (const kind of kinds) {
    if (kind.path && !kind.path.test(path)) continue;
    if (kind.markers.some((m) => out.includes(m))) out = blank(out, kind.regex);
  }
  return out;
}
