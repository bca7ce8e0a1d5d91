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
});
