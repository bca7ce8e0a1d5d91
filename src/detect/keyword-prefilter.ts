// Case-insensitive multi-keyword search (Aho-Corasick, compiled to a dense DFA),
// so each file is read once to learn which rules can possibly match it.
// Keywords are ASCII; any non-ASCII character simply breaks a partial match.

const ALPHABET = 128;
const SHIFT = 7; // state * ALPHABET as a shift

/** ASCII case folding as a table: one load instead of two compares per character. */
const FOLD = new Uint8Array(ALPHABET).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

export class KeywordPrefilter {
  readonly keywords: readonly string[];
  /** transitions[state * ALPHABET + char] -> next state */
  private readonly transitions: Int32Array;
  /** For each state, the keyword ids that end there (including via suffix links). */
  private readonly outputs: number[][];
  /** 1 where a state has outputs: checked per character without touching `outputs`. */
  private readonly accepting: Uint8Array;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords.map((k) => k.toLowerCase());
    for (const k of this.keywords) {
      if (k.length === 0) throw new Error('empty keyword');
      for (let i = 0; i < k.length; i++) {
        if (k.charCodeAt(i) >= ALPHABET) throw new Error(`keyword "${k}" is not ASCII`);
      }
    }
    // Build the trie.
    const goto: Array<Map<number, number>> = [new Map()];
    const outputs: number[][] = [[]];
    this.keywords.forEach((keyword, id) => {
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const c = keyword.charCodeAt(i);
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
    // Breadth-first: failure links folded into a full transition table.
    const stateCount = goto.length;
    const transitions = new Int32Array(stateCount * ALPHABET);
    const fail = new Int32Array(stateCount);
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const next = goto[0]!.get(c);
      if (next !== undefined) {
        transitions[c] = next;
        fail[next] = 0;
        queue.push(next);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const state = queue[qi]!;
      const failOutputs = outputs[fail[state]!]!;
      if (failOutputs.length > 0) outputs[state] = [...outputs[state]!, ...failOutputs];
      for (let c = 0; c < ALPHABET; c++) {
        const next = goto[state]!.get(c);
        if (next !== undefined) {
          fail[next] = transitions[fail[state]! * ALPHABET + c]!;
          transitions[state * ALPHABET + c] = next;
          queue.push(next);
        } else {
          transitions[state * ALPHABET + c] = transitions[fail[state]! * ALPHABET + c]!;
        }
      }
    }
    this.transitions = transitions;
    this.outputs = outputs;
    this.accepting = Uint8Array.from(outputs, (o) => (o.length > 0 ? 1 : 0));
  }

  /** Ids of the keywords that occur in `text` (case-insensitively). The hot loop of the whole engine. */
  matches(text: string): Set<number> {
    const found = new Set<number>();
    const total = this.keywords.length;
    const transitions = this.transitions;
    const accepting = this.accepting;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= ALPHABET) {
        state = 0;
        continue;
      }
      state = transitions[(state << SHIFT) | FOLD[c]!]!;
      if (accepting[state] === 1) {
        for (const id of this.outputs[state]!) found.add(id);
        if (found.size === total) break;
      }
    }
    return found;
  }
}
