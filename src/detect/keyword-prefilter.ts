// Case-insensitive multi-keyword search (Aho-Corasick, compiled to a dense DFA),
// so each file is read once to learn which rules can possibly match it.
// Keywords are ASCII; any character that occurs in no keyword (every non-ASCII
// character among them) sends the automaton back to its start state.
//
// The hot loop is one table load per byte, so everything else is taken out of it:
// characters map to classes (those keywords use, case-folded, and one "other"), the
// table holds row offsets, accepting states are numbered from a power of two up (one
// OR and one compare tell whether any run ended a keyword), files are read as UTF-8
// bytes where they can be (no decoding first), long inputs are split into four runs
// interleaved in one loop (the CPU overlaps their table loads), and that loop runs in
// WebAssembly where available (prefilter-wasm.ts). One-character keywords are found
// with a native indexOf instead: in the automaton they would stop it on every ':'.
//
// The keywords come out in the order one left-to-right run would meet them (where
// each first ends; at one place, longest first): rules are tried in that order.

import { WASM_CHUNK, wasmScanner, type WasmScanner } from './prefilter-wasm.js';

/** Below this length a text is scanned in one run; above, in four interleaved ones. */
const SPLIT_AT = 4096;

export class KeywordPrefilter {
  readonly keywords: readonly string[];
  /** UTF-16 code unit -> character class; 0 is "in no keyword". */
  private readonly classOf: Uint8Array;
  /** log2 of the row width (classes, rounded up to a power of two). */
  private readonly shift: number;
  /** table[row | class] -> the next state's row (state number << shift). */
  private readonly table: Int32Array;
  /** Rows from here on are accepting states' (a power of two: a row at or past it has this bit or a higher one set). */
  private readonly acceptFrom: number;
  /** For each accepting state, in order, the keyword ids that end there. */
  private readonly outputs: number[][];
  /**
   * Scratch for one scan, per run (of four) and accepting state: 1 + where the run first reached
   * it (0: not yet); and the slots set, to read and clear them after.
   */
  private readonly first: Int32Array;
  private readonly hits: number[] = [];
  /** How far a stretch reaches back into the one before it: the longest keyword, less one. */
  private readonly overlap: number;
  /** Ids of the one-character keywords, searched for natively rather than by the automaton. */
  private readonly singles: number[] = [];
  /** The byte loop in WebAssembly, made on first use (null: not available). */
  private wasm: WasmScanner | null | undefined;

  /** `wasm: false` keeps the byte loop in JavaScript (tests compare the two). */
  constructor(keywords: readonly string[], options: { wasm?: boolean } = {}) {
    if (options.wasm === false) this.wasm = null;
    this.keywords = keywords.map((k) => k.toLowerCase());
    for (const k of this.keywords) {
      if (k.length === 0) throw new Error('empty keyword');
      for (let i = 0; i < k.length; i++) {
        if (k.charCodeAt(i) >= 128) throw new Error(`keyword "${k}" is not ASCII`);
      }
    }
    // One-character keywords (':') would make the automaton stop on every such character;
    // a native search for their first occurrence is far cheaper. The rest go into the automaton.
    const inAutomaton = new Set<number>();
    this.keywords.forEach((k, id) => (k.length === 1 ? this.singles.push(id) : inAutomaton.add(id)));
    // Character classes: one per distinct (lower-case) keyword character.
    const classOf = new Uint8Array(65536);
    let classes = 1;
    for (const k of this.keywords.filter((_, id) => inAutomaton.has(id))) {
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i);
        if (classOf[c] === 0) classOf[c] = classes++;
      }
    }
    for (let c = 65; c <= 90; c++) classOf[c] = classOf[c + 32]!; // ASCII case folding
    let shift = 0;
    while (1 << shift < classes) shift++;
    const width = 1 << shift;

    // The trie, over classes.
    const goto: Array<Map<number, number>> = [new Map()];
    const outputs: number[][] = [[]];
    this.keywords.forEach((keyword, id) => {
      if (!inAutomaton.has(id)) return;
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const c = classOf[keyword.charCodeAt(i)]!;
        let next = goto[state]!.get(c);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          outputs.push([]);
          goto[state]!.set(c, next);
        }
        state = next;
      }
      outputs[state]!.push(id);
    });
    // Breadth-first: failure links folded into a full transition table (class 0 always leads to the root).
    const stateCount = goto.length;
    const transitions = new Int32Array(stateCount * width);
    const fail = new Int32Array(stateCount);
    const queue: number[] = [];
    for (let c = 1; c < classes; c++) {
      const next = goto[0]!.get(c);
      if (next !== undefined) {
        transitions[c] = next;
        queue.push(next);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const state = queue[qi]!;
      const failOutputs = outputs[fail[state]!]!;
      if (failOutputs.length > 0) outputs[state] = [...outputs[state]!, ...failOutputs];
      for (let c = 1; c < classes; c++) {
        const next = goto[state]!.get(c);
        if (next !== undefined) {
          fail[next] = transitions[fail[state]! * width + c]!;
          transitions[state * width + c] = next;
          queue.push(next);
        } else {
          transitions[state * width + c] = transitions[fail[state]! * width + c]!;
        }
      }
    }
    // Renumber: states without outputs first (the root stays 0), then accepting states from the
    // next power of two on, so that "some run is in an accepting state" is one OR and one compare.
    // The table holds each next state's row offset (its number times the row width), not its number.
    const order: number[] = [];
    for (let s = 0; s < stateCount; s++) if (outputs[s]!.length === 0) order.push(s);
    let firstAccepting = 1;
    while (firstAccepting < order.length) firstAccepting *= 2;
    const accepting: number[] = [];
    for (let s = 0; s < stateCount; s++) if (outputs[s]!.length > 0) accepting.push(s);
    const newId = new Int32Array(stateCount);
    order.forEach((old, id) => (newId[old] = id));
    accepting.forEach((old, i) => (newId[old] = firstAccepting + i));
    const table = new Int32Array((firstAccepting + accepting.length) * width);
    for (let s = 0; s < stateCount; s++) {
      const row = newId[s]! * width;
      for (let c = 0; c < width; c++) table[row + c] = newId[transitions[s * width + c]!]! * width;
    }
    this.classOf = classOf;
    this.shift = shift;
    this.table = table;
    this.acceptFrom = firstAccepting * width;
    this.outputs = accepting.map((old) => outputs[old]!);
    this.first = new Int32Array(4 * accepting.length);
    this.overlap = Math.max(1, ...this.keywords.map((k) => k.length)) - 1;
  }

  /** Ids of the keywords that occur in `text` (case-insensitively). The hot loop of the whole engine. */
  matches(text: string): Set<number> {
    const n = text.length;
    if (n < SPLIT_AT) this.scanText(text, 0, n);
    else {
      // Four independent runs over four stretches (each reaching back far enough to see a keyword
      // that crosses into it), interleaved: the CPU overlaps their table loads.
      const { quarter, b1, b2, b3 } = this.stretches(n);
      this.scanText4(text, quarter + this.overlap, b1, b2, b3);
    }
    return this.collect(this.first, this.hits, this.hits.length, (c) => text.indexOf(String.fromCharCode(c)));
  }

  /**
   * The same for a file's raw bytes, without decoding them: valid for UTF-8 (with or without a
   * BOM, and whatever invalid sequences it holds), where every ASCII character is its own byte
   * and every other character is bytes of 0x80 and above, which, like the character, match no keyword.
   */
  matchesBytes(bytes: Uint8Array): Set<number> {
    const n = bytes.length;
    if (n < SPLIT_AT) this.scanBytes(bytes, 0, n);
    else {
      if (this.wasm === undefined) this.wasm = this.makeWasm();
      if (this.wasm !== null) return this.scanBytesWasm(this.wasm, bytes);
      const { quarter, b1, b2, b3 } = this.stretches(n);
      this.scanBytes4(bytes, quarter + this.overlap, b1, b2, b3);
    }
    return this.collect(this.first, this.hits, this.hits.length, (c) => bytes.indexOf(c));
  }

  private makeWasm(): WasmScanner | null {
    // Each chunk is split in four runs, each at least `overlap` long.
    if (4 * (this.overlap + 1) > SPLIT_AT) return null;
    const classOf = this.classOf.subarray(0, 256);
    return wasmScanner({ table: this.table, classOf, acceptFrom: this.acceptFrom, shift: this.shift, states: this.outputs.length }) ?? null;
  }

  /** Chunk by chunk through WebAssembly memory; each chunk reaches back `overlap` bytes into the one before. */
  private scanBytesWasm(wasm: WasmScanner, bytes: Uint8Array): Set<number> {
    const n = bytes.length;
    const overlap = this.overlap;
    let count = 0;
    for (let start = 0; start < n; start += WASM_CHUNK) {
      const end = Math.min(n, start + WASM_CHUNK);
      // The last chunk may be short: it then starts further back, so each of its runs is long enough.
      const from = Math.max(0, Math.min(start - overlap, end - SPLIT_AT));
      const length = end - from;
      wasm.memory.set(bytes.subarray(from, end), wasm.input);
      const quarter = Math.ceil(length / 4);
      count = wasm.scan4(quarter + overlap, quarter - overlap, 2 * quarter - overlap, length - quarter - overlap, from, count);
    }
    return this.collect(wasm.first, wasm.hits, count, (c) => bytes.indexOf(c));
  }

  /** Start of the 2nd, 3rd and 4th stretch, each `quarter + overlap` long; the 1st starts at 0, the 4th ends at n. */
  private stretches(n: number): { quarter: number; b1: number; b2: number; b3: number } {
    const quarter = Math.ceil(n / 4);
    return { quarter, b1: quarter - this.overlap, b2: 2 * quarter - this.overlap, b3: n - quarter - this.overlap };
  }

  // scanText/scanText4 and scanBytes/scanBytes4 are the same automaton over a string and over
  // bytes, written twice on purpose: one loop reading either through a callback or a union type
  // would make the engine's hottest loop polymorphic in V8, where each stays monomorphic.
  private scanText(text: string, from: number, to: number): void {
    const { classOf, table, acceptFrom, first, shift } = this;
    let row = 0;
    for (let i = from; i < to; i++) {
      row = table[row | classOf[text.charCodeAt(i)]!]!;
      if (row >= acceptFrom && first[(row - acceptFrom) >> shift] === 0) this.hit((row - acceptFrom) >> shift, i);
    }
  }

  private scanText4(text: string, length: number, b1: number, b2: number, b3: number): void {
    const { classOf, table, acceptFrom } = this;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < length; i++) {
      s0 = table[s0 | classOf[text.charCodeAt(i)]!]!;
      s1 = table[s1 | classOf[text.charCodeAt((b1 + i))]!]!;
      s2 = table[s2 | classOf[text.charCodeAt((b2 + i))]!]!;
      s3 = table[s3 | classOf[text.charCodeAt((b3 + i))]!]!;
      // Rare (a keyword ends here): kept out of the loop body so the four runs stay in registers.
      if ((s0 | s1 | s2 | s3) >= acceptFrom) this.hit4(s0, s1, s2, s3, i, b1 + i, b2 + i, b3 + i);
    }
  }

  private scanBytes(bytes: Uint8Array, from: number, to: number): void {
    const { classOf, table, acceptFrom, first, shift } = this;
    let row = 0;
    for (let i = from; i < to; i++) {
      row = table[row | classOf[bytes[i]!]!]!;
      if (row >= acceptFrom && first[(row - acceptFrom) >> shift] === 0) this.hit((row - acceptFrom) >> shift, i);
    }
  }

  private scanBytes4(bytes: Uint8Array, length: number, b1: number, b2: number, b3: number): void {
    const { classOf, table, acceptFrom } = this;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < length; i++) {
      s0 = table[s0 | classOf[bytes[i]!]!]!;
      s1 = table[s1 | classOf[bytes[(b1 + i)]!]!]!;
      s2 = table[s2 | classOf[bytes[(b2 + i)]!]!]!;
      s3 = table[s3 | classOf[bytes[(b3 + i)]!]!]!;
      // Rare (a keyword ends here): kept out of the loop body so the four runs stay in registers.
      if ((s0 | s1 | s2 | s3) >= acceptFrom) this.hit4(s0, s1, s2, s3, i, b1 + i, b2 + i, b3 + i);
    }
  }

  private hit4(s0: number, s1: number, s2: number, s3: number, at0: number, at1: number, at2: number, at3: number): void {
    const states = this.outputs.length;
    this.hitIn(0, s0, at0);
    this.hitIn(states, s1, at1);
    this.hitIn(2 * states, s2, at2);
    this.hitIn(3 * states, s3, at3);
  }

  /** Run `base / states` is in `row` at `at`: notes it when that is an accepting state the run had not reached before. */
  private hitIn(base: number, row: number, at: number): void {
    if (row < this.acceptFrom) return;
    const slot = base + ((row - this.acceptFrom) >> this.shift);
    if (this.first[slot] === 0) this.hit(slot, at);
  }

  /** The first time run `slot / states` reaches accepting state `slot % states`: at offset `at`. */
  private hit(slot: number, at: number): void {
    this.first[slot] = at + 1;
    this.hits.push(slot);
  }

  /**
   * The keyword ids found, in the order a single left-to-right run of the whole automaton meets
   * them: by where each first ends, and at one place, longest first (a state's outputs list its
   * own keyword before its suffixes'). The order matters: it is the order rules are tried in.
   * `indexOf` finds a character code's first occurrence (-1: none), for the one-character keywords.
   */
  private collect(first: Int32Array, hits: ArrayLike<number>, count: number, indexOf: (code: number) => number): Set<number> {
    const { outputs, keywords } = this;
    const states = outputs.length;
    const earliest = new Map<number, number>(); // keyword id -> where it first ends
    for (let h = 0; h < count; h++) {
      const slot = hits[h]!;
      const at = first[slot]! - 1;
      first[slot] = 0;
      for (const id of outputs[slot % states]!) {
        const known = earliest.get(id);
        if (known === undefined || at < known) earliest.set(id, at);
      }
    }
    this.hits.length = 0;
    for (const id of this.singles) {
      const c = keywords[id]!.charCodeAt(0);
      let at = indexOf(c);
      if (c >= 97 && c <= 122) {
        const upper = indexOf(c - 32);
        if (upper !== -1 && (at === -1 || upper < at)) at = upper;
      }
      if (at !== -1) earliest.set(id, at);
    }
    const found = [...earliest.keys()];
    if (found.length > 1) {
      found.sort((a, b) => earliest.get(a)! - earliest.get(b)! || keywords[b]!.length - keywords[a]!.length || a - b);
    }
    return new Set(found);
  }
}
