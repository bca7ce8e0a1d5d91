// Content that looks random but is never a secret: lockfile integrity hashes,
// data: URIs (inline images and fonts), SVG path data. It is blanked out with
// spaces of the same length before any rule runs, so offsets, lines and columns
// of everything else stay exact.

const INTEGRITY = /\b(?:sha1|sha256|sha384|sha512)-[A-Za-z0-9+/]{27,88}={0,2}/g;
const GO_SUM = /\bh1:[A-Za-z0-9+/]{43}=/g;
const HEX_DIGEST = /\b(?:sha256|sha512|sha1|md5):[0-9a-f]{32,128}\b/g;
const DATA_URI = /\bdata:[a-z]{1,20}\/[a-z0-9.+-]{1,60}(?:;[a-z0-9-]{1,30}=[a-z0-9-]{1,30}){0,3};base64,[A-Za-z0-9+/]{16,}={0,2}/gi;
const SVG_PATH = /\sd="[MmLlHhVvCcSsQqTtAaZz0-9.,\s+-]{16,}"/g;

function blank(text: string, regex: RegExp): string {
  return text.replace(regex, (m) => ' '.repeat(m.length));
}

/** The text with noise blanked (same length), or the same string when there is none. */
export function maskNoise(path: string, text: string): string {
  let out = text;
  if (out.includes('sha') || out.includes('md5:')) {
    out = blank(out, INTEGRITY);
    out = blank(out, HEX_DIGEST);
  }
  if (out.includes('h1:')) out = blank(out, GO_SUM);
  if (out.includes('base64,')) out = blank(out, DATA_URI);
  if (out.includes(' d="') && /\.(?:svg|xml|html?|vue|jsx|tsx|xaml)$/i.test(path)) out = blank(out, SVG_PATH);
  return out;
}
