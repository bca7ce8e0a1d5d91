import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/detector.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';

// Property-based checks on the pure detection core with the full built-in rule set
// (fast-check): whatever bytes or text a repo holds, scanning never throws, and the
// time it takes grows linearly with the input, for random input and for input built
// to provoke backtracking (each rule's own keywords followed by long runs of the
// characters its patterns match, the shapes ReDoS needs).

const rules = loadRules();
const detector = new Detector(rules, { excludePaths: [] });
const PATHS = ['src/app.ts', 'deploy/.env', 'infra/main.tf', 'terraform.tfstate', 'notebooks/a.ipynb', 'package-lock.json', 'dist/app.min.js', 'config/app.yaml', 'id_rsa', 'inventory/hosts.ini'];
const keywords = [...new Set(rules.flatMap((r) => r.keywords))].sort();
const FILLERS = ['a', '0', 'A1', '=', '"', ' ', '\t', '\n', '/', '+', '-', '.', ':', 'aA0+/=', '\\', '%2F', '@', 'x ', '"a":', '10.0.0.'];

function secondsFor(path: string, text: string): number {
  const started = performance.now();
  detector.scanText(path, text);
  return (performance.now() - started) / 1000;
}

/**
 * Characters a pattern's own classes match: both ends of each range and each single
 * character of a [...] class, a stand-in for \d \w \s \S, and for a negated class
 * a few characters it does not exclude. Runs of these are what a backtracking regex chews on.
 */
function classCharacters(source: string): string[] {
  const found = new Set<string>();
  const shorthand: Record<string, string> = { d: '7', w: 'k', s: ' ', S: 'Q', D: 'x', W: '-', n: '\n', t: '\t', r: '\r' };
  const decode = (item: string): string =>
    /^\\[ux]/.test(item) ? String.fromCharCode(parseInt(item.slice(2), 16)) : item.startsWith('\\') ? (shorthand[item[1]!] ?? item[1]!) : item;
  for (const match of source.matchAll(/\[(\^?)((?:\\.|[^\]\\])*)\]|\\([dwsDWS])/g)) {
    if (match[3]) {
      found.add(shorthand[match[3]]!);
      continue;
    }
    if (match[1]) {
      let negated: RegExp | undefined;
      try {
        negated = new RegExp(`[^${match[2]}]`);
      } catch {
        continue;
      }
      for (const c of ['a', 'Z', '0', '=', ' ', '"']) if (negated.test(c)) found.add(c);
      continue;
    }
    const items = match[2]!.match(/\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\.|./g) ?? [];
    for (let i = 0; i < items.length; i++) {
      if (items[i + 1] === '-' && items[i + 2] !== undefined) {
        found.add(decode(items[i]!));
        found.add(decode(items[i + 2]!));
        i += 2;
      } else found.add(decode(items[i]!));
    }
  }
  return [...found].filter((c) => c.length === 1);
}

/** A path the rule runs on: one of its examples' paths, else an ordinary config file. */
function pathFor(rule: (typeof rules)[number]): string {
  return rule.spec.examples.find((e) => e.path)?.path ?? 'config/settings.env';
}

/** Best of five, the two sizes interleaved: other work on the machine (and GC) only ever adds time. */
function bestTimes(path: string, small: string, large: string): [number, number] {
  let t1 = Infinity;
  let t4 = Infinity;
  for (let i = 0; i < 5; i++) {
    t1 = Math.min(t1, secondsFor(path, small));
    t4 = Math.min(t4, secondsFor(path, large));
  }
  return [t1, t4];
}

describe('detection core properties (fast-check)', () => {
  it('never throws on arbitrary text, whatever the path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.string({ unit: 'binary', maxLength: 2000 }), (path, text) => {
        const result = detector.scanText(path, text);
        expect(Array.isArray(result.findings)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes (binary, bad UTF-8, UTF-16 BOMs, NULs)', () => {
    const bom = fc.constantFrom(new Uint8Array([]), new Uint8Array([0xff, 0xfe]), new Uint8Array([0xfe, 0xff]), new Uint8Array([0xef, 0xbb, 0xbf]));
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), bom, fc.uint8Array({ maxLength: 4000 }), (path, prefix, body) => {
        const bytes = new Uint8Array(prefix.length + body.length);
        bytes.set(prefix);
        bytes.set(body, prefix.length);
        expect(Array.isArray(detector.scanBytes(path, bytes).findings)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on text made of the rules\' own keywords and pattern characters', () => {
    const piece = fc.oneof(fc.constantFrom(...keywords), fc.constantFrom(...FILLERS), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.array(piece, { maxLength: 400 }), (path, pieces) => {
        expect(Array.isArray(detector.scanText(path, pieces.join('')).findings)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('takes time linear in the input for adversarial shapes: 2 MB in under 200 ms, or 4x the input under 16x the time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATHS),
        fc.constantFrom(...keywords),
        fc.constantFrom(...FILLERS),
        fc.constantFrom('', '\n', ' = "', ': ', '"'),
        (path, keyword, filler, joiner) => {
          // keyword + joiner + a long run of filler, repeated: the run a greedy pattern would backtrack over.
          const unit = `${keyword}${joiner}${filler.repeat(Math.ceil(2000 / filler.length))}\n`;
          const small = unit.repeat(256); // ~512 KB
          const large = unit.repeat(1024); // ~2 MB
          const [t1, t4] = bestTimes(path, small, large);
          // 2 MB in under 200 ms is linear enough whatever the ratio says (timings of a few ms
          // swing with load); backtracking that is really superlinear takes seconds here.
          if (t4 < 0.2) return;
          expect(t4 / Math.max(t1, 0.0005), `${keyword}|${JSON.stringify(joiner)}|${filler} in ${path}: ${(t1 * 1000).toFixed(1)} ms -> ${(t4 * 1000).toFixed(1)} ms`).toBeLessThan(16);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('for every rule, runs of its own pattern\'s characters after its keyword take time linear in their length (one long line, and many lines)', () => {
    const slow: string[] = [];
    for (const rule of rules) {
      if (rule.regex === undefined) continue;
      const chars = classCharacters(rule.spec.pattern ?? '');
      const keyword = rule.spec.keywords[0] ?? '';
      const path = pathFor(rule);
      // Each class character alone, all of them in turn, and the keyword again and again.
      const pumps = [...new Set([...chars, chars.join(''), `${keyword}=`, `${keyword}${chars.join('')}`])].filter((p) => p.length > 0);
      for (const pump of pumps) {
        for (const shape of ['line', 'lines'] as const) {
          // Nothing a pattern could end on: each run stops on a character no class expects.
          const body = (n: number) => shape === 'line'
            ? `${keyword} = "${pump.repeat(Math.ceil(n / pump.length))}\u0001`
            : `${keyword} = "${pump.repeat(Math.ceil(400 / pump.length))}\u0001\n`.repeat(Math.ceil(n / 400));
          const large = body(64_000);
          // 64 KB in under 50 ms is linear (a quadratic backtrack over it takes seconds); only then compare.
          if (secondsFor(path, large) < 0.05) continue;
          const [t1, t4] = bestTimes(path, body(16_000), large);
          if (t4 >= 0.05 && t4 / Math.max(t1, 0.0005) >= 12) slow.push(`${rule.spec.id} ${shape} of ${JSON.stringify(pump.slice(0, 20))}: ${(t1 * 1000).toFixed(1)} ms -> ${(t4 * 1000).toFixed(1)} ms`);
        }
      }
    }
    expect(slow).toEqual([]);
  }, 120_000);

  it('scanBytes on UTF-16 and invalid UTF-8 forms of adversarial input: 2 MB in under 200 ms, or 4x the input under 16x the time', () => {
    const time = (bytes: Buffer) => {
      const started = performance.now();
      detector.scanBytes('config/app.env', bytes);
      return (performance.now() - started) / 1000;
    };
    for (const keyword of keywords.filter((_, i) => i % 9 === 0)) {
      const unit = `${keyword}="${'aA0+/='.repeat(300)}\n`;
      const shapes: Record<string, (n: number) => Buffer> = {
        utf16: (n) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(unit.repeat(n), 'utf16le')]),
        'invalid utf-8': (n) => Buffer.concat([Buffer.from(unit.repeat(n)), Buffer.from([0xc3, 0x28])]),
      };
      for (const [name, make] of Object.entries(shapes)) {
        const small = make(128);
        const large = make(512);
        if (time(large) < 0.2) continue;
        let t1 = Infinity;
        let t4 = Infinity;
        for (let i = 0; i < 5; i++) {
          t1 = Math.min(t1, time(small));
          t4 = Math.min(t4, time(large));
        }
        if (t4 < 0.2) continue;
        expect(t4 / Math.max(t1, 0.0005), `${name} ${keyword}: ${(t1 * 1000).toFixed(1)} -> ${(t4 * 1000).toFixed(1)} ms`).toBeLessThan(16);
      }
    }
  }, 60_000);
});
