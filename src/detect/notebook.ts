// Jupyter notebooks are JSON: secrets sit in cell sources and text outputs,
// JSON-escaped; image outputs are base64 noise. The notebook is turned into plain
// text (one virtual line per source line), and each virtual line remembers where
// it came from so findings point at the real line of the .ipynb file.

export interface NotebookText {
  text: string;
  /** For each virtual line (0-based), the 1-based line and column in the .ipynb file. */
  origins: { line: number; column: number }[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const TEXT_MIME = /^(?:text\/|application\/(?:json|javascript|x-ipynb))/;

function linesOf(value: Json | undefined): string[] {
  if (typeof value === 'string') return value.split(/(?<=\n)/);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Extracts the scannable text of a notebook, or undefined when the file is not notebook JSON. */
export function notebookText(raw: string): NotebookText | undefined {
  let doc: Json;
  try {
    doc = JSON.parse(raw) as Json;
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(doc.cells)) return undefined;

  // Per cell, its source lines and its text outputs' lines: two runs, because
  // Jupyter writes a cell's keys sorted ("outputs" before "source") while the
  // scanned text keeps the reading order (source, then what it printed).
  const cells: { source: string[]; outputs: string[] }[] = [];
  for (const cell of doc.cells) {
    if (typeof cell !== 'object' || cell === null || Array.isArray(cell)) continue;
    const outputs: string[] = [];
    for (const output of Array.isArray(cell.outputs) ? cell.outputs : []) {
      if (typeof output !== 'object' || output === null || Array.isArray(output)) continue;
      outputs.push(...linesOf(output.text));
      const data = output.data;
      if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
        for (const [mime, value] of Object.entries(data)) if (TEXT_MIME.test(mime)) outputs.push(...linesOf(value));
      }
    }
    cells.push({ source: linesOf(cell.source), outputs });
  }

  // Locate each piece in the raw file (they appear in order, JSON-encoded) to map lines back.
  const lineStarts = [0];
  for (let i = raw.indexOf('\n'); i !== -1; i = raw.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const positionOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const origins: { line: number; column: number }[] = [];
  const out: string[] = [];
  /** Finds each piece in order from `from` (JSON-encoded in the file), adds its lines; returns where the run ended. */
  const place = (pieces: string[], from: number): number => {
    let cursor = from;
    for (const piece of pieces) {
      const encoded = JSON.stringify(piece);
      const at = raw.indexOf(encoded, cursor);
      const origin = at === -1 ? positionOf(cursor) : positionOf(at + 1);
      if (at !== -1) cursor = at + encoded.length;
      const body = piece.endsWith('\n') ? piece.slice(0, -1) : piece;
      // A piece may itself hold several lines (a string source): each maps to the same origin line onward.
      body.split('\n').forEach((line, i) => {
        out.push(line);
        origins.push(i === 0 ? origin : { line: origin.line + i, column: 1 });
      });
    }
    return cursor;
  };
  let cellStart = 0;
  for (const cell of cells) {
    // Both runs start where the cell starts, whichever of the two the file writes first.
    const afterSource = place(cell.source, cellStart);
    const afterOutputs = place(cell.outputs, cellStart);
    cellStart = Math.max(afterSource, afterOutputs);
  }
  return { text: out.join('\n'), origins };
}
