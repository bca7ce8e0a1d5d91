// The shape of a rule as written in patterns/*.yaml, and as compiled for the engine.
// Rules are data: everything a rule needs is expressed here, and code only
// ever refers to a rule through these fields (validators by name).

export const CATEGORIES = ['credential', 'private-key', 'infrastructure', 'personal-data'] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One positive example: the text, and the secret the rule must extract from it. */
export interface RuleExample {
  text: string;
  /** The value the `secret` group must capture (signature rules: omitted). */
  secret?: string;
  /** For signature rules: the example file's bytes, in hex (then `text` is unused and may be empty). */
  hex?: string;
  /** Optional path the example is checked under (for path-scoped rules). */
  path?: string;
  /** Optional: the severity the finding must have there (escalate, downgrade). */
  severity?: Severity;
}

/** One negative example: text (under an optional path) that must produce no finding. */
export interface RuleNegativeExample {
  text: string;
  path?: string;
  hex?: string;
}

export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** A rule as it appears in a rule file, after schema checks. */
export interface RuleSpec {
  id: string;
  title: string;
  category: Category;
  severity: Severity;
  /** Literal, case-insensitive strings; the rule runs on a file only if one occurs in it. */
  keywords: string[];
  /** JavaScript regular expression source with a named group `secret` (absent for signature rules). */
  pattern?: string;
  /** Extra regex flags (only `i`, `m`, `s`, `u` are accepted). */
  flags?: string;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  minEntropy?: number;
  /** Name of a validator in src/detect/validators.ts, for checks a regex cannot express. */
  validator?: string;
  /**
   * The pattern is anchored on a distinctive literal (a provider prefix such as `ghp_`),
   * so it is trusted on minified lines, where context rules only produce noise.
   */
  anchored?: boolean;
  /** How sure a match is a real secret (default: high with a validator, else medium). */
  confidence?: Confidence;
  /**
   * Count-based severity: when one file holds at least `count` distinct values of this
   * rule, each of its findings there gets `severity` (one private address is a note, a
   * subnet plan is a map).
   */
  escalate?: { count: number; severity: Severity };
  /**
   * Path-based severity, the other way: in these paths (globs) a finding of this rule is
   * `severity` at most. For what reviewers dismiss by where it sits, such as the key of a
   * self-signed certificate for localhost or a library's example key.
   */
  downgrade?: { paths: string[]; severity: Severity };
  /**
   * Binary signature rules: hex byte patterns (`??` any byte) one of which must start the
   * file. Such a rule has no `pattern`; its finding is the whole file (fingerprint of its bytes).
   */
  signatures?: string[];
  allow?: {
    /** Documented example values, matched exactly. */
    values?: string[];
    /** Regexes; a secret matching one is a placeholder, not a finding. */
    patterns?: string[];
    /** Case-insensitive substrings; a secret containing one is not a finding. */
    stopwords?: string[];
  };
  paths?: {
    /** Globs (matched against the repo-relative path); when present, only these paths. */
    include?: string[];
    /** Globs of paths the rule never runs on. */
    exclude?: string[];
  };
  examples: RuleExample[];
  negativeExamples: RuleNegativeExample[];
  /** Rule file the rule came from (for messages). */
  source?: string;
}

/** A rule ready to run: regexes compiled, path matchers built. */
export interface CompiledRule {
  spec: RuleSpec;
  /** Undefined for signature-only rules. */
  regex: RegExp | undefined;
  /** Byte patterns (-1 = any byte) for signature rules. */
  signatures: number[][];
  allowValues: ReadonlySet<string>;
  allowPatterns: RegExp[];
  stopwords: string[];
  /** Lower-cased keywords. Empty means the rule runs on every file (must be anchored and cheap). */
  keywords: string[];
  pathAllowed: (path: string) => boolean;
  /** The severity a finding at `path` has at most (see RuleSpec.downgrade); undefined: no cap. */
  severityCapAt: (path: string) => Severity | undefined;
  validate: ((secret: string) => boolean) | undefined;
}

export interface Finding {
  ruleId: string;
  title: string;
  category: Category;
  severity: Severity;
  confidence: Confidence;
  path: string;
  /** 1-based line of the secret's first character. */
  line: number;
  /** 1-based column (in UTF-16 code units) of the secret's first character. */
  column: number;
  /** Stable across rescans, line moves and renames: derived from the rule and the secret only. */
  fingerprint: string;
  /** Hash of the secret alone, so the same value under two rules can be grouped. */
  secretHash: string;
  /** Safe to print and store: the secret with its middle masked. */
  redacted: string;
  /** Set when the file itself says to ignore this finding (an inline comment); triage lists it. */
  suppressedBy?: { marker: string; line: number };
  /**
   * Set by a history scan (the core never sets these): the first commit whose tree holds the
   * blob the finding is in, and whether the secret is gone from HEAD (then `path` is where it first appeared).
   */
  commit?: string;
  inHistoryOnly?: boolean;
}
