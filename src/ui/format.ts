import { printable } from '../report/printable.js';

// Small formatting helpers shared by the progress view and the browser: numbers
// people read at a glance, durations, and text cut to a column width.

export function count(n: number): string {
  return n.toLocaleString('en-GB');
}

/** "1:05", "12:30", "1:02:03" */
export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** "3.4 MB/s", "512 kB/s" */
export function rate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e6) return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
  return `${Math.round(bytesPerSecond / 1e3)} kB/s`;
}

/**
 * Cuts `text` to `width` columns with an ellipsis; pads when `pad` is set. Control and
 * bidi characters (a repo's names are untrusted) are shown escaped, never sent raw.
 */
export function fit(raw: string, width: number, pad = false): string {
  if (width <= 0) return '';
  const text = printable(raw);
  const cut = text.length > width ? (width === 1 ? '…' : `${text.slice(0, width - 1)}…`) : text;
  return pad ? cut.padEnd(width) : cut;
}

/** "2026-03-01 14:05" from an ISO time. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').slice(0, 16);
}

/**
 * A redacted preview ("AKIA************WXYZ") cut to `width` by shortening its run
 * of stars, so both ends (what a person recognises a value by) stay visible.
 */
export function fitPreview(preview: string, width: number): string {
  if (preview.length <= width) return preview;
  const stars = /\*{4,}/.exec(preview);
  if (stars) {
    const keep = Math.max(3, stars[0].length - (preview.length - width));
    const shortened = preview.slice(0, stars.index) + '*'.repeat(keep) + preview.slice(stars.index + stars[0].length);
    if (shortened.length <= width) return shortened;
  }
  return fit(preview, width);
}

/**
 * A line too long for `width` whose interesting part starts at `focus`: its start,
 * an ellipsis, then the text from a little before `focus`, so the label before a
 * value ("Password=") and the value are on screen.
 */
export function elideBefore(text: string, focus: number, width: number, lead = 12): string {
  if (text.length <= width || focus + lead < width * 0.6) return text;
  const from = Math.max(0, focus - lead);
  const headLength = Math.max(0, Math.min(Math.floor(width * 0.4), width - 1 - (text.length - from)));
  return headLength >= from ? text : `${text.slice(0, headLength)}…${text.slice(from)}`;
}
