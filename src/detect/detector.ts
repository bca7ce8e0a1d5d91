import picomatch from 'picomatch';
import { decodeBytes } from './decode.js';
import { shannonEntropy } from './entropy.js';
import { KeywordPrefilter } from './keyword-prefilter.js';
import { fingerprintOf, hashSecret, redact } from './redact.js';
import type { CompiledRule, Finding } from './rule-types.js';

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

/** Computes 1-based line and column of offsets in a text, building the line index only when asked. */
class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}

  position(offset: number): { line: number; column: number } {
    if (this.starts === undefined) {
      const starts = [0];
      let at = this.text.indexOf('\n');
      while (at !== -1) {
        starts.push(at + 1);
        at = this.text.indexOf('\n', at + 1);
      }
      this.starts = starts;
    }
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

export class Detector {
  readonly rules: readonly CompiledRule[];
  private readonly prefilter: KeywordPrefilter;
  /** For each keyword id, the rules that carry it. */
  private readonly rulesByKeyword: CompiledRule[][];
  /** Rules with no keywords run on every file they are allowed on. */
  private readonly unconditionalRules: CompiledRule[];
  private readonly excluded: (path: string) => boolean;

  constructor(rules: readonly CompiledRule[], options: DetectorOptions = {}) {
    this.rules = rules;
    const keywordIds = new Map<string, number>();
    this.rulesByKeyword = [];
    this.unconditionalRules = [];
    for (const rule of rules) {
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
    this.prefilter = new KeywordPrefilter([...keywordIds.keys()]);
    const globs = options.excludePaths ?? DEFAULT_VENDORED_GLOBS;
    const matcher = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
    this.excluded = (path) => matcher(path);
  }

  /** Scans a file's raw bytes: decodes once, skips binary files. */
  scanBytes(path: string, bytes: Uint8Array): FileScanResult {
    if (this.excluded(path)) return { findings: [], skipped: 'excluded-path' };
    const decoded = decodeBytes(bytes);
    if (decoded.kind === 'binary') return { findings: [], skipped: 'binary' };
    return { findings: this.scanDecoded(path, decoded.text) };
  }

  /** Scans text already decoded. */
  scanText(path: string, text: string): FileScanResult {
    if (this.excluded(path)) return { findings: [], skipped: 'excluded-path' };
    return { findings: this.scanDecoded(path, text) };
  }

  private candidateRules(text: string): Set<CompiledRule> {
    const candidates = new Set<CompiledRule>(this.unconditionalRules);
    for (const id of this.prefilter.matches(text)) {
      for (const rule of this.rulesByKeyword[id]!) candidates.add(rule);
    }
    return candidates;
  }

  private scanDecoded(path: string, text: string): Finding[] {
    const findings: Finding[] = [];
    const lines = new LineIndex(text);
    for (const rule of this.candidateRules(text)) {
      if (!rule.pathAllowed(path)) continue;
      this.runRule(rule, path, text, lines, findings);
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
    return findings;
  }

  private runRule(rule: CompiledRule, path: string, text: string, lines: LineIndex, out: Finding[]): void {
    const regex = rule.regex;
    regex.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = regex.exec(text)) !== null) {
      if (match[0].length === 0) regex.lastIndex++; // never loop on an empty match
      const captured = match.groups?.secret;
      if (captured === undefined) continue;
      // Multi-line secrets (key bodies) are trimmed so the same key fingerprints
      // the same however it is wrapped, and its position is its first character.
      const secret = captured.trim();
      if (secret.length === 0 || !this.accepts(rule, secret)) continue;
      const within = match[0].indexOf(captured) + (captured.length - captured.trimStart().length);
      const { line, column } = lines.position(match.index + Math.max(within, 0));
      out.push({
        ruleId: rule.spec.id,
        title: rule.spec.title,
        category: rule.spec.category,
        severity: rule.spec.severity,
        path,
        line,
        column,
        fingerprint: fingerprintOf(rule.spec.id, secret),
        secretHash: hashSecret(secret),
        redacted: redact(secret),
      });
    }
  }

  /** The allow-lists, entropy floor and validator: is this captured value a real finding? */
  private accepts(rule: CompiledRule, secret: string): boolean {
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
}
