import { describe, expect, it } from 'vitest';
import { prng } from '../../fixtures/build-fixture-repos.mjs';
import { Detector } from '../../src/detect/detector.js';
import { KeywordPrefilter } from '../../src/detect/keyword-prefilter.js';
import { maskNoise, maskNoiseBytes, NOISE_KINDS, noiseRanges } from '../../src/detect/noise-mask.js';
import { loadRules } from '../../src/rules/load-rule-dirs.js';

// The fast paths of the detection core must give exactly what the plain ones give:
// the prefilter over bytes (JavaScript and WebAssembly, four interleaved runs, chunks)
// against a naive search over the text, including the ORDER of the keywords found
// (rules are tried in it, and it breaks ties between rules at one place); noise masked
// in bytes against noise masked in text; a file scanned from bytes against its text.

/** Keyword ids in the order one left-to-right run meets them: where each first ends, longest first. */
function naiveOrder(keywords: string[], text: string): number[] {
  const lower = text.toLowerCase();
  const ends = keywords.map((k) => {
    const at = lower.indexOf(k.toLowerCase());
    return at === -1 ? -1 : at + k.length;
  });
  return keywords
    .map((_, id) => id)
    .filter((id) => ends[id] !== -1)
    .sort((a, b) => ends[a]! - ends[b]! || keywords[b]!.length - keywords[a]!.length || a - b);
}

function randomText(random: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

describe('keyword prefilter: bytes, text, JavaScript and WebAssembly agree with a naive search', () => {
  const random = prng(7);
  const alphabet = 'abcAB_-=.: \n\u00e9';
  const cases: { keywords: string[]; text: string }[] = [];
  for (let round = 0; round < 60; round++) {
    const keywords = [...new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => randomText(random, 'abcAB_-=.: ', 1 + Math.floor(random() * 5))))];
    // Short texts (one run), texts past the four-run split, and past a WebAssembly chunk (1 MiB).
    const length = [50, 5000, 70_000, 1_100_000][round % 4]!;
    cases.push({ keywords, text: randomText(random, alphabet, length) });
  }
  // A keyword straddling every boundary the runs and chunks make.
  const long = 'x'.repeat(2_200_000).split('');
  for (const at of [1023, 1024, 4095, 4096, 275_000, 550_000, 1_048_575, 1_048_576, 2_199_990]) long.splice(at, 6, ...'NEEDLE');
  cases.push({ keywords: ['needle', 'edl', 'x', 'xn', 'q'], text: long.join('') });

  // Ties: keywords ending at one place come longest first.
  cases.push({ keywords: ['a', 'ba', 'cba', 'zz'], text: 'xxcba zz ba a' });
  cases.push({ keywords: ['b:', ':', 'ab:'], text: `${'-'.repeat(5000)}ab: :` });
  // A keyword that occurs once, across one of the boundaries the runs and chunks make.
  for (const length of [5000, 1_048_576 + 100, 2_500_000]) {
    const quarter = Math.ceil(Math.min(length, 1_048_576) / 4);
    for (const boundary of [quarter, 2 * quarter, 3 * quarter, 1_048_576, 2_097_152, length - 3]) {
      if (boundary + 3 > length) continue;
      const text = 'y'.repeat(boundary - 3) + 'NEEDLE' + 'y'.repeat(length - boundary - 3);
      cases.push({ keywords: ['needle', 'q'], text });
    }
  }

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_, { keywords, text }) => {
    const expected = naiveOrder(keywords, text);
    const bytes = Buffer.from(text, 'utf8');
    const withWasm = new KeywordPrefilter(keywords);
    const jsOnly = new KeywordPrefilter(keywords, { wasm: false });
    expect([...withWasm.matches(text)]).toEqual(expected);
    expect([...jsOnly.matches(text)]).toEqual(expected);
    // Byte offsets differ from character offsets past a non-ASCII character, but not the order.
    expect([...withWasm.matchesBytes(bytes)]).toEqual(expected);
    expect([...jsOnly.matchesBytes(bytes)]).toEqual(expected);
    // And again: scratch state is cleared between scans.
    expect([...withWasm.matchesBytes(bytes)]).toEqual(expected);
  });
});

describe('noise masking in bytes', () => {
  it('finds lockfile integrity hashes by hand exactly where the regex does', () => {
    const random = prng(11);
    const pieces = ['sha1-', 'sha256-', 'sha384-', 'sha512-', 'sha5-', 'xsha1-', '_sha1-', ' sha512-', 'SHA512-', '=', '==', '-', ' ', 'A', 'z9+/', 'abcdefghij', '\u00e9'];
    for (let round = 0; round < 300; round++) {
      let text = '';
      while (text.length < 400) text += pieces[Math.floor(random() * pieces.length)]! + (random() < 0.3 ? randomText(random, 'ABCxyz019+/', Math.floor(random() * 100)) : '');
      const latin = Buffer.from(text, 'latin1');
      const byHand: number[] = [];
      NOISE_KINDS[0]!.findBytes!(latin, byHand);
      const byRegex: number[] = [];
      noiseRanges({ ...NOISE_KINDS[0]!, findBytes: undefined }, text, byRegex);
      expect(byHand).toEqual(byRegex);
    }
  });

  it('blanks the same characters as masking the decoded text', () => {
    const random = prng(12);
    const pieces = [
      `"integrity": "sha512-${'Ab9+'.repeat(22)}==",`, `h1:${'q'.repeat(43)}=`, `sha256:${'ab'.repeat(32)}`, `md5:${'0f'.repeat(16)} `,
      'data:image/png;base64,QUJDREVGR0hJSktMTU5PUA==', 'DATA:IMAGE/PNG;BASE64,QUJDREVGR0hJSktMTU5PUA==', ' d="M0 0 L10 10 L20 20 Z"',
      '\u00e9', '\u2603', '\ud83d\ude00', '\uffff', ' ', '\n', 'token=', 'sha1-',
    ];
    for (let round = 0; round < 300; round++) {
      const parts: (string | Buffer)[] = [];
      for (let i = 0; i < 12; i++) parts.push(random() < 0.1 ? Buffer.from([0x80 + Math.floor(random() * 0x7f)]) : pieces[Math.floor(random() * pieces.length)]!);
      const bytes = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
      const text = new TextDecoder().decode(bytes);
      const path = 'package-lock.json';
      const kinds = NOISE_KINDS.filter((k) => k.bytesSafe);
      const masked = maskNoiseBytes(path, bytes, kinds);
      const fromBytes = masked === undefined ? text : new TextDecoder().decode(masked);
      expect(fromBytes).toEqual(maskNoise(path, text, kinds));
    }
  });
});

describe('a file scanned from its bytes', () => {
  const detector = new Detector(loadRules());
  const examples = detector.rules.flatMap((rule) => rule.spec.examples.filter((e) => e.hex === undefined).map((e) => ({ path: e.path ?? 'example.txt', text: e.text })));

  it('gives the findings its text gives, with noise, non-ASCII text and past the four-run split', () => {
    const noise = [`"integrity": "sha512-${'A'.repeat(86)}==",`, `h1:${'b'.repeat(43)}=`, 'data:image/png;base64,' + 'QUJD'.repeat(10), '\u00e9\u2603 '];
    for (const { path, text } of examples) {
      for (const file of [text, `${noise.join('\n')}\n${text}\n`, `${text}\n`.repeat(Math.ceil(6000 / (text.length + 1)))]) {
        expect(detector.scanBytes(path, Buffer.from(file, 'utf8')).findings).toEqual(detector.scanText(path, file).findings);
      }
    }
  });

  it('gives the findings its text gives for lockfiles, whatever other noise they hold', () => {
    const line = (i: number, end: string) =>
      `    "node_modules/p${i}": { "version": "1.0.${i}", "resolved": "https://user:Kp0penLock${i}@registry.example.org/p${i}.tgz", "integrity": "sha512-${'Ab9+/'.repeat(17)}x${end}" },\n`;
    // Other kinds' markers after a hash (one crossing its end: "+sha1:" starts inside it), in any case.
    const ends = ['==', '', '+sha1:' + 'ab'.repeat(20), '/h1:' + 'q'.repeat(43) + '=', '+MD5:' + '0f'.repeat(16), 'base64,QUJD', ' d="M0 0 L1 1 L2 2 L3 3"', '+Sha256:' + 'cd'.repeat(32)];
    for (const end of ends) {
      for (const path of ['package-lock.json', 'web/yarn.lock', 'pnpm-lock.yaml', 'npm-shrinkwrap.json']) {
        let text = '{\n  "packages": {\n';
        for (let i = 0; i < 200; i++) text += line(i, i === 100 ? end : '==');
        text += '  },\n  "token": "aB3dE5gH7jK9mN1pQ3sT5vW7"\n}\n';
        for (const file of [text, end + text, text.replaceAll('==', end)]) {
          expect(detector.scanBytes(path, Buffer.from(file, 'utf8')).findings).toEqual(detector.scanText(path, file).findings);
        }
      }
    }
  });
});
