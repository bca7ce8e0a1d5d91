// The keyword prefilter's byte loop as a small WebAssembly function, generated for
// one automaton at a time (its table is copied into the module's memory, and the
// layout's addresses are constants in the code). The same four interleaved runs as
// the JavaScript loop in keyword-prefilter.ts, which it must agree with exactly
// (test/detect/keyword-prefilter.test.ts checks both); it is only faster: typed-array
// loads in JavaScript pay a bounds check each, WebAssembly memory loads do not.
//
// No toolchain is involved: the few instructions needed are written out as bytes
// below. Where WebAssembly is unavailable (node --jitless), the JavaScript loop runs.

/** Bytes copied into the module's memory and scanned at a time. */
export const WASM_CHUNK = 1 << 20;

export interface WasmAutomaton {
  /** table[row | class] -> next row; rows are state numbers times the row width. */
  table: Int32Array;
  /** Byte -> character class (bytes 0x80 and above: 0). */
  classOf: Uint8Array;
  /** Rows at or past this are accepting states'. */
  acceptFrom: number;
  /** log2 of the row width. */
  shift: number;
  /** Number of accepting states (slots per run). */
  states: number;
}

export interface WasmScanner {
  /** The memory's bytes; input goes at `input`. */
  memory: Uint8Array;
  input: number;
  /** 1 + the offset at which run r first reached accepting state s, at [r * states + s] (0: not yet). */
  first: Int32Array;
  /** The slots set in `first`, `count` of them as scan4 returns it. */
  hits: Int32Array;
  /**
   * Four interleaved runs over the input at `input` (run r from offset b[r], b[0] = 0) for
   * `length` bytes each; offsets recorded are `base` + the offset in the input. Returns the
   * number of slots in `hits` once done (it was `count`).
   */
  scan4(length: number, b1: number, b2: number, b3: number, base: number, count: number): number;
}

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
};

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'ascii')];

// The instructions used (i32 only).
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32 = (n: number) => [0x41, ...sleb(n)];
const ADD = 0x6a;
const SUB = 0x6b;
const OR = 0x72;
const SHL = 0x74;
const SHR_U = 0x76;
const LT_U = 0x49;
const GE_U = 0x4f;
const EQZ = 0x45;
const load = (offset: number) => [0x28, 2, ...uleb(offset)];
const load8 = (offset: number) => [0x2d, 0, ...uleb(offset)];
const store = (offset: number) => [0x36, 2, ...uleb(offset)];
const IF = [0x04, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const brIf = (depth: number) => [0x0d, ...uleb(depth)];

/** The part of the WebAssembly API used (its types are not in this project's TypeScript libs). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
let unavailable = api === undefined;

/** A scanner for this automaton, or undefined when WebAssembly cannot be used here. */
export function wasmScanner(automaton: WasmAutomaton): WasmScanner | undefined {
  if (unavailable) return undefined;
  const { table, classOf, acceptFrom, shift, states } = automaton;
  // Memory: byte classes, first[], hits[], the table, then the input chunk (and a little slack).
  const CLS = 0;
  const FIRST = 256;
  const HITS = FIRST + 16 * states;
  const TAB = (HITS + 16 * states + 63) & ~63;
  const INPUT = TAB + 4 * table.length;
  const pages = Math.ceil((INPUT + WASM_CHUNK + 64) / 65536);

  // scan4(length, b1, b2, b3, base, count) -> count; locals: i, s0..s3, slot.
  const P = { length: 0, b1: 1, b2: 2, b3: 3, base: 4, count: 5 };
  const i = 6;
  const s = [7, 8, 9, 10];
  const slot = 11;
  const starts = [undefined, P.b1, P.b2, P.b3];
  const at = (r: number) => (r === 0 ? get(i) : [...get(starts[r]!), ...get(i), ADD]);
  const step = (r: number) => [
    // s[r] = table[(s[r] | classOf[input[b[r] + i]]) << 2]
    ...get(s[r]!), ...at(r), ...load8(INPUT), ...load8(CLS), OR, ...i32(2), SHL, ...load(TAB), ...set(s[r]!),
  ];
  const hit = (r: number) => [
    ...get(s[r]!), ...i32(acceptFrom), GE_U, ...IF,
    // slot = r * states + ((s[r] - acceptFrom) >> shift)
    ...get(s[r]!), ...i32(acceptFrom), SUB, ...i32(shift), SHR_U, ...i32(r * states), ADD, ...tee(slot),
    ...i32(2), SHL, ...load(FIRST), EQZ, ...IF,
    ...get(slot), ...i32(2), SHL, ...get(P.base), ...at(r), ADD, ...i32(1), ADD, ...store(FIRST),
    ...get(P.count), ...i32(2), SHL, ...get(slot), ...store(HITS),
    ...get(P.count), ...i32(1), ADD, ...set(P.count),
    END,
    END,
  ];
  const body = [
    ...vec([[...uleb(6), 0x7f]]),
    ...LOOP,
    ...step(0), ...step(1), ...step(2), ...step(3),
    ...get(s[0]!), ...get(s[1]!), OR, ...get(s[2]!), OR, ...get(s[3]!), OR, ...i32(acceptFrom), GE_U, ...IF,
    ...hit(0), ...hit(1), ...hit(2), ...hit(3),
    END,
    ...get(i), ...i32(1), ADD, ...tee(i), ...get(P.length), LT_U, ...brIf(0),
    END,
    ...get(P.count),
    END,
  ];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: 6 }, () => [0x7f])), ...vec([[0x7f]])]])),
    ...section(3, vec([uleb(0)])),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0x00], [...name('scan4'), 0x00, 0x00]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
  let instance: { exports: Record<string, unknown> };
  try {
    instance = new api!.Instance(new api!.Module(bytes));
  } catch {
    unavailable = true;
    return undefined;
  }
  const buffer = (instance.exports.memory as { buffer: ArrayBuffer }).buffer;
  const memory = new Uint8Array(buffer);
  for (let c = 0; c < 256; c++) memory[CLS + c] = classOf[c]!;
  new Int32Array(buffer, TAB, table.length).set(table);
  return {
    memory,
    input: INPUT,
    first: new Int32Array(buffer, FIRST, 4 * states),
    hits: new Int32Array(buffer, HITS, 4 * states),
    scan4: instance.exports.scan4 as WasmScanner['scan4'],
  };
}
