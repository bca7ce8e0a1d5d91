// Repos are untrusted input, and so are their file names (and folder names, which name
// plain-folder repos): git allows any byte but NUL in a name. Printed as they are, a
// newline forges a line of the report, an escape sequence rewrites the terminal, and
// a right-to-left override shows a name backwards (Trojan Source). Everything a
// person reads is passed through here; JSON keeps the exact value, with the same
// characters as \u escapes.

/**
 * Characters that change how text around them shows: C0 and C1 controls and DEL; line
 * and paragraph separators; bidirectional marks, embeddings, overrides and isolates;
 * zero-width and invisible characters; the byte order mark.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
const UNSAFE_TEST = new RegExp(UNSAFE.source);
const UNSAFE_OUTSIDE_C0 = new RegExp(UNSAFE.source.replace('\\u0000-\\u001f', ''), 'g');
const UNSAFE_OUTSIDE_C0_TEST = new RegExp(UNSAFE_OUTSIDE_C0.source);
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Free text (a reason, a message) with every unsafe character shown as an escape (\n, \x1b, \u202e). */
export function printable(text: string): string {
  return UNSAFE_TEST.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}

/**
 * A path or name, unchanged when it is plain; otherwise quoted as git quotes paths
 * (core.quotePath=false): in double quotes, with backslash and quote escaped, so the
 * escapes cannot be mistaken for a name that holds a backslash.
 */
export function printablePath(path: string): string {
  if (!UNSAFE_TEST.test(path) && !/["\\]/.test(path)) return path;
  return `"${path.replace(/["\\]/g, (c) => `\\${c}`).replace(UNSAFE, escapeChar)}"`;
}

/** JSON text with the unsafe characters JSON.stringify leaves raw (C1, bidi, invisible) as \u escapes: the same value, safe to print. */
export function safeJson(json: string): string {
  // Not C0: JSON.stringify already escapes those inside strings, and outside them they are the layout.
  return UNSAFE_OUTSIDE_C0_TEST.test(json) ? json.replace(UNSAFE_OUTSIDE_C0, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
