import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { decodeAs, textEncodingOf } from './decode.js';
import { shannonEntropy } from './entropy.js';
import { KeywordPrefilter } from './keyword-prefilter.js';
import { blankRanges, markerCrossesRangeEnd, maskNoiseBytes, NOISE_KINDS, noiseRanges, type NoiseKind } from './noise-mask.js';
import { notebookText } from './notebook.js';
import { fingerprintOf, hashSecret, redact } from './redact.js';
import type { CompiledRule, Finding, Severity } from './rule-types.js';
import { startsWithSignature } from './signatures.js';
import { markerOnLine } from './suppression.js';

// THE PURE CORE: (path, text or bytes) -> findings. No file system, network or database.

/** Folders of third-party code that a repo's owners did not write; skipped unless configured otherwise. */
export const DEFAULT_VENDORED_GLOBS = [
  '**/node_modules/**',
  '**/vendor/**',
  '**/site-packages/**',
  '**/.venv/**',
  '**/bower_components/**',
  '**/.git/**',
];

/** A line longer than this is minified code: only anchored (provider-prefix) rules are trusted on it. */
export const MINIFIED_LINE_LENGTH = 1000;
const MINIFIED_PATH = /\.min\.(?:js|css|mjs)$|[.-]bundle\.js$|\.chunk\.js$/i;
const NOTEBOOK_PATH = /\.ipynb$/i;
/** Files up to this size are masked in a buffer the detector keeps, rather than a new one each. */
const SCRATCH_MAX = 8 * 1024 * 1024;
/** Lockfiles: an integrity hash on most lines (see scanLockfile). */
const LOCKFILE_PATH = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$/;

export interface DetectorOptions {
  /** Globs of paths never scanned (default: vendored folders). */
  excludePaths?: string[];
}

export type FileSkipReason = 'excluded-path' | 'binary';

export interface FileScanResult {
  findings: Finding[];
  /** Set when the file was not scanned at all, and why. */
  skipped?: FileSkipReason;
}

/** Line starts of a text, built only when a finding needs a position. */
class LineIndex {
  private cached: number[] | undefined;
  constructor(private readonly text: string) {}

  get starts(): number[] {
    if (this.cached === undefined) {
      const starts = [0];
      for (let at = this.text.indexOf('\n'); at !== -1; at = this.text.indexOf('\n', at + 1)) starts.push(at + 1);
      this.cached = starts;
    }
    return this.cached;
  }

  lineOf(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  lineLength(line: number): number {
    const starts = this.starts;
    const end = line < starts.length ? starts[line]! - 1 : this.text.length;
    return end - starts[line - 1]!;
  }
}

/** A match before positions are mapped: offset in the scanned text, and the rule. */
interface RawMatch {
  rule: CompiledRule;
  offset: number;
  secret: string;
}

export class Detector {
  readonly rules: readonly CompiledRule[];
  private readonly prefilter: KeywordPrefilter;
  /** For each keyword id, the rules that carry it. */
  private readonly rulesByKeyword: CompiledRule[][];
  /** Rules with no keywords run on every file they are allowed on. */
  private readonly unconditionalRules: CompiledRule[];
  private readonly signatureRules: CompiledRule[];
  private readonly excluded: (path: string) => boolean;
  /** For each keyword id, the noise kinds (lockfile hashes, data: URIs, ...) it marks, if any. */
  private readonly noiseByKeyword: (NoiseKind[] | undefined)[];
  /** Reused for masked copies of lockfiles (see scratchCopy). */
  private scratch = Buffer.alloc(0);
  /** Each rule's place in the loaded list: ties between rules at one place go to the first loaded. */
  private readonly loadOrder: Map<CompiledRule, number>;

  constructor(rules: readonly CompiledRule[], options: DetectorOptions = {}) {
    this.rules = rules;
    this.loadOrder = new Map(rules.map((rule, i) => [rule, i]));
    const keywordIds = new Map<string, number>();
    this.rulesByKeyword = [];
    this.unconditionalRules = [];
    this.signatureRules = rules.filter((r) => r.signatures.length > 0);
    for (const rule of rules) {
      if (rule.regex === undefined) continue;
      if (rule.keywords.length === 0) {
        this.unconditionalRules.push(rule);
        continue;
      }
      for (const keyword of new Set(rule.keywords)) {
        let id = keywordIds.get(keyword);
        if (id === undefined) {
          id = keywordIds.size;
          keywordIds.set(keyword, id);
          this.rulesByKeyword.push([]);
        }
        this.rulesByKeyword[id]!.push(rule);
      }
    }
    // Noise markers ride in the same automaton as the rules' keywords: one pass over the text.
    this.noiseByKeyword = [];
    for (const kind of NOISE_KINDS) {
      for (const marker of kind.markers) {
        let id = keywordIds.get(marker);
        if (id === undefined) {
          id = keywordIds.size;
          keywordIds.set(marker, id);
          this.rulesByKeyword.push([]);
        }
        this.noiseByKeyword[id] = [...(this.noiseByKeyword[id] ?? []), kind];
      }
    }
    this.prefilter = new KeywordPrefilter([...keywordIds.keys()]);
    const globs = options.excludePaths ?? DEFAULT_VENDORED_GLOBS;
    const matcher = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
    this.excluded = (path) => matcher(path);
  }

  /** Scans a file's raw bytes: signature rules first, then decodes once and scans text; binary files are skipped. */
  scanBytes(path: string, bytes: Uint8Array): FileScanResult {
    if (this.excluded(path)) return { findings: [], skipped: 'excluded-path' };
    const signed = this.scanSignatures(path, bytes);
    const encoding = textEncodingOf(bytes);
    if (encoding === 'binary') return signed.length > 0 ? { findings: signed } : { findings: [], skipped: 'binary' };
    const findings = encoding === 'utf-8' && !NOTEBOOK_PATH.test(path)
      ? this.scanUtf8(path, bytes)
      : this.scanFileText(path, decodeAs(bytes, encoding));
    return { findings: signed.length > 0 ? [...signed, ...findings] : findings };
  }

  /** Scans text already decoded. */
  scanText(path: string, text: string): FileScanResult {
    if (this.excluded(path)) return { findings: [], skipped: 'excluded-path' };
    return { findings: this.scanFileText(path, text) };
  }

  /**
   * A UTF-8 file: the prefilter reads its bytes, noise is blanked in the bytes, and only then is
   * it decoded, once. The same keywords and text as decoding first (see `matchesBytes`, `maskNoiseBytes`).
   */
  private scanUtf8(path: string, bytes: Uint8Array): Finding[] {
    if (LOCKFILE_PATH.test(path)) {
      const findings = this.scanLockfile(path, bytes);
      if (findings !== undefined) return findings;
    }
    let keywords = this.prefilter.matchesBytes(bytes);
    const kinds = this.noiseKindsIn(keywords, () => bytes.length > 0 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1') : '');
    if (kinds !== undefined) {
      if (kinds.some((kind) => !kind.bytesSafe && (!kind.path || kind.path.test(path)))) {
        const masked = this.maskText(path, decodeAs(bytes, 'utf-8'), kinds);
        return this.scanDecoded(path, masked.text, masked.changed ? this.prefilter.matches(masked.text) : keywords);
      }
      const masked = maskNoiseBytes(path, bytes, kinds);
      if (masked !== undefined) {
        keywords = this.prefilter.matchesBytes(masked);
        return this.scanDecoded(path, () => decodeAs(masked, 'utf-8'), keywords);
      }
    }
    return this.scanDecoded(path, () => decodeAs(bytes, 'utf-8'), keywords);
  }

  /**
   * A lockfile, masked before the prefilter runs, so it is read once rather than twice: its
   * integrity hashes are blanked first, then the prefilter reads what is left. The same result as
   * the general way (prefilter, mask the kinds of noise it found, prefilter again) whenever the
   * integrity hashes are the only noise, which the second read shows: no marker of another kind
   * left, and none hidden by the blanking. Otherwise (undefined) the general way is taken.
   */
  private scanLockfile(path: string, bytes: Uint8Array): Finding[] | undefined {
    const integrity = NOISE_KINDS[0]!;
    const ranges: number[] = [];
    integrity.findBytes!(bytes, ranges);
    if (ranges.length === 0 || markerCrossesRangeEnd(bytes, ranges)) return undefined;
    const masked = this.scratchCopy(bytes);
    for (let i = 0; i < ranges.length; i += 2) masked.fill(32, ranges[i]!, ranges[i + 1]!);
    const keywords = this.prefilter.matchesBytes(masked);
    for (const id of keywords) {
      if (this.noiseByKeyword[id]?.some((kind) => kind !== integrity)) return undefined;
    }
    return this.scanDecoded(path, () => decodeAs(masked, 'utf-8'), keywords);
  }

  /** A copy of `bytes` in a buffer this detector reuses (up to SCRATCH_MAX bytes): valid until the next call. */
  private scratchCopy(bytes: Uint8Array): Buffer {
    if (bytes.length > SCRATCH_MAX) return Buffer.from(bytes);
    if (this.scratch.length < bytes.length) this.scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(bytes.length, 2 * this.scratch.length)));
    const copy = this.scratch.subarray(0, bytes.length);
    copy.set(bytes);
    return copy;
  }

  private scanSignatures(path: string, bytes: Uint8Array): Finding[] {
    const findings: Finding[] = [];
    for (const rule of this.signatureRules) {
      if (!rule.pathAllowed(path) || !startsWithSignature(bytes, rule.signatures)) continue;
      const digest = createHash('sha256').update(bytes).digest('hex');
      findings.push({
        ruleId: rule.spec.id, title: rule.spec.title, category: rule.spec.category, severity: capped(rule.spec.severity, rule.severityCapAt(path)),
        confidence: rule.spec.confidence ?? 'high', path, line: 1, column: 1,
        fingerprint: fingerprintOf(rule.spec.id, digest), secretHash: hashSecret(digest),
        redacted: `<binary, ${bytes.length} bytes>`,
      });
    }
    return findings;
  }

  /** Text already decoded (and notebooks, whose scanned text is made from their JSON). */
  private scanFileText(path: string, text: string): Finding[] {
    if (NOTEBOOK_PATH.test(path)) {
      const notebook = notebookText(text);
      if (notebook) {
        // Positions come from the notebook's own lines; suppression markers are read there too.
        const { text: scanned, keywords } = this.presentKeywords(path, notebook.text);
        return this.scanDecoded(path, scanned, keywords, (line, column) => {
          const origin = notebook.origins[line - 1] ?? { line, column: 1 };
          return { line: origin.line, column: origin.column + column - 1 };
        });
      }
    }
    const { text: scanned, keywords } = this.presentKeywords(path, text);
    return this.scanDecoded(path, scanned, keywords);
  }

  private candidateRules(keywords: Set<number>): Set<CompiledRule> {
    const candidates = new Set<CompiledRule>(this.unconditionalRules);
    for (const id of keywords) {
      for (const rule of this.rulesByKeyword[id]!) candidates.add(rule);
    }
    return candidates;
  }

  /**
   * The noise kinds whose markers are among the keywords found, in the order their markers first
   * occur in the text (`text` gives it, for files with more than one kind): kinds are blanked one
   * after another, in that order.
   */
  private noiseKindsIn(keywords: Set<number>, text: () => string): NoiseKind[] | undefined {
    let kinds: NoiseKind[] | undefined;
    for (const id of keywords) {
      const marked = this.noiseByKeyword[id];
      if (marked === undefined) continue;
      kinds ??= [];
      for (const kind of marked) if (!kinds.includes(kind)) kinds.push(kind);
    }
    if (kinds !== undefined && kinds.length > 1) {
      const source = text();
      const first = new Map(kinds.map((kind) => [kind, firstMarkerEnd(kind, source)]));
      kinds.sort((a, b) => first.get(a)! - first.get(b)!);
    }
    return kinds;
  }

  /** The text with the given kinds of noise blanked, kind after kind (see noise-mask.ts). */
  private maskText(path: string, original: string, kinds: readonly NoiseKind[]): { text: string; changed: boolean } {
    let text = original;
    let changed = false;
    for (const kind of kinds) {
      if (kind.path && !kind.path.test(path)) continue;
      if (!kind.literalMarkers && !kind.markers.some((m) => text.includes(m))) continue;
      const ranges: number[] = [];
      noiseRanges(kind, text, ranges);
      if (ranges.length === 0) continue;
      text = blankRanges(text, ranges);
      changed = true;
    }
    return { text, changed };
  }

  /** Keyword ids present in the text once noise is blanked: one pass, two only for files holding noise. */
  private presentKeywords(path: string, original: string): { text: string; keywords: Set<number> } {
    const keywords = this.prefilter.matches(original);
    const kinds = this.noiseKindsIn(keywords, () => original);
    if (kinds === undefined) return { text: original, keywords };
    const { text, changed } = this.maskText(path, original, kinds);
    return changed ? { text, keywords: this.prefilter.matches(text) } : { text, keywords };
  }

  /** Runs the rules the keywords call for over `text` (noise already blanked) and turns matches into findings. */
  private scanDecoded(
    path: string,
    decoded: string | (() => string),
    keywords: Set<number>,
    mapPosition?: (line: number, column: number) => { line: number; column: number },
  ): Finding[] {
    const rules: CompiledRule[] = [];
    for (const rule of this.candidateRules(keywords)) if (rule.pathAllowed(path)) rules.push(rule);
    if (rules.length === 0) return []; // nothing to run: the text is not even decoded
    const text = typeof decoded === 'string' ? decoded : decoded();
    const matches: RawMatch[] = [];
    for (const rule of rules) this.runRule(rule, text, matches);
    if (matches.length === 0) return [];

    const lines = new LineIndex(text);
    const wholeFileMinified = MINIFIED_PATH.test(path);
    const escalated = escalatedSeverities(matches);
    // Once per rule and file: oneRulePerPlace asks for every match it compares.
    const severities = new Map<CompiledRule, Severity>();
    const severityOf = (rule: CompiledRule) => {
      let severity = severities.get(rule);
      if (severity === undefined) severities.set(rule, (severity = capped(escalated(rule), rule.severityCapAt(path))));
      return severity;
    };
    const findings: Finding[] = [];
    for (const { rule, offset, secret } of oneRulePerPlace(matches, severityOf, this.loadOrder)) {
      const line = lines.lineOf(offset);
      // Minified code is full of random-looking identifiers; only provider-anchored rules are trusted there.
      if (!rule.spec.anchored && (wholeFileMinified || lines.lineLength(line) > MINIFIED_LINE_LENGTH)) continue;
      const column = offset - lines.starts[line - 1]! + 1;
      const position = mapPosition ? mapPosition(line, column) : { line, column };
      const finding: Finding = {
        ruleId: rule.spec.id, title: rule.spec.title, category: rule.spec.category, severity: severityOf(rule),
        confidence: rule.spec.confidence ?? (rule.validate ? 'high' : 'medium'),
        path, line: position.line, column: position.column,
        fingerprint: fingerprintOf(rule.spec.id, secret), secretHash: hashSecret(secret), redacted: redact(secret),
      };
      const marker = markerOnLine(text, lines.starts, line) ?? (line > 1 ? markerOnLine(text, lines.starts, line - 1) : undefined);
      if (marker !== undefined) {
        const markerLine = markerOnLine(text, lines.starts, line) !== undefined ? position.line : position.line - 1;
        finding.suppressedBy = { marker, line: markerLine };
      }
      findings.push(finding);
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
    return findings;
  }

  private runRule(rule: CompiledRule, text: string, out: RawMatch[]): void {
    const regex = rule.regex!;
    regex.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = regex.exec(text)) !== null) {
      if (match[0].length === 0) regex.lastIndex++; // never loop on an empty match
      const captured = match.groups?.secret;
      if (captured === undefined) continue;
      // Multi-line secrets (key bodies) are trimmed so the same key fingerprints
      // the same however it is wrapped, and its position is its first character.
      const secret = captured.trim();
      if (secret.length === 0 || !accepts(rule, secret)) continue;
      const within = match[0].indexOf(captured) + (captured.length - captured.trimStart().length);
      out.push({ rule, offset: match.index + Math.max(within, 0), secret });
    }
  }
}

const markerRegexes = new Map<string, RegExp>();

/** Where the first of a noise kind's markers to occur (case-insensitively) ends, as the prefilter meets them. */
function firstMarkerEnd(kind: NoiseKind, text: string): number {
  let first = Infinity;
  for (const marker of kind.markers) {
    let regex = markerRegexes.get(marker);
    if (regex === undefined) {
      regex = new RegExp(marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
      markerRegexes.set(marker, regex);
    }
    const at = regex.exec(text);
    if (at !== null) first = Math.min(first, at.index + marker.length);
  }
  return first;
}

const SEVERITY_RANK = { high: 3, medium: 2, low: 1 } as const;

/**
 * One secret at one place is one finding, however many rules match it: the most
 * severe rule's, then the most specific one (scoped to this kind of file, such as a
 * terraform state rule over a generic storage-key rule), then the first loaded.
 */
function oneRulePerPlace(matches: RawMatch[], severityOf: (rule: CompiledRule) => Severity, loadOrder: Map<CompiledRule, number>): RawMatch[] {
  if (matches.length < 2) return matches;
  const best = new Map<string, RawMatch>();
  const score = (m: RawMatch) => SEVERITY_RANK[severityOf(m.rule)] * 2 + (m.rule.spec.paths?.include?.length ? 1 : 0);
  // Rules run in the order their keywords occur in the file, so the tie is settled by load order.
  const first = (a: RawMatch, b: RawMatch) => (loadOrder.get(a.rule) ?? 0) < (loadOrder.get(b.rule) ?? 0);
  for (const m of matches) {
    const key = `${m.offset}\u0000${m.secret}`;
    const current = best.get(key);
    if (current === undefined) best.set(key, m);
    else {
      const a = score(m);
      const b = score(current);
      if (a > b || (a === b && first(m, current))) best.set(key, m);
    }
  }
  return [...best.values()];
}

/** The allow-lists, entropy floor and validator: is this captured value a real finding? */
function accepts(rule: CompiledRule, secret: string): boolean {
  if (rule.allowValues.has(secret)) return false;
  if (rule.stopwords.length > 0) {
    const lower = secret.toLowerCase();
    if (rule.stopwords.some((word) => lower.includes(word))) return false;
  }
  if (rule.allowPatterns.some((p) => p.test(secret))) return false;
  if (rule.spec.minEntropy !== undefined && shannonEntropy(secret) < rule.spec.minEntropy) return false;
  if (rule.validate !== undefined && !rule.validate(secret)) return false;
  return true;
}

/** `severity`, lowered to `cap` when there is one and it is lower. */
function capped(severity: Severity, cap: Severity | undefined): Severity {
  return cap !== undefined && SEVERITY_RANK[cap] < SEVERITY_RANK[severity] ? cap : severity;
}

/**
 * Count-based severity, per rule and file: a file with many distinct values of one
 * rule (a subnet plan, a list of internal hosts) is more than a note.
 */
function escalatedSeverities(matches: RawMatch[]): (rule: CompiledRule) => Severity {
  const distinct = new Map<CompiledRule, Set<string>>();
  for (const m of matches) {
    if (!m.rule.spec.escalate) continue;
    const set = distinct.get(m.rule) ?? new Set<string>();
    set.add(m.secret);
    distinct.set(m.rule, set);
  }
  return (rule) => {
    const escalation = rule.spec.escalate;
    return escalation && (distinct.get(rule)?.size ?? 0) >= escalation.count ? escalation.severity : rule.spec.severity;
  };
}
