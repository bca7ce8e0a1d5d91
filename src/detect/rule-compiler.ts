import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import {
  CATEGORIES,
  CONFIDENCES,
  SEVERITIES,
  type Confidence,
  type Category,
  type CompiledRule,
  type RuleExample,
  type RuleNegativeExample,
  type RuleSpec,
  type Severity,
} from './rule-types.js';
import { VALIDATORS } from './validators.js';

/** A rule file that does not follow the format; the message names the file, the rule and the field. */
export class RuleFormatError extends Error {
  override name = 'RuleFormatError';
}

const ALLOWED_FLAGS = /^[imsu]*$/;

function fail(source: string, where: string, message: string): never {
  throw new RuleFormatError(`${source}: ${where}: ${message}`);
}

function str(value: unknown, source: string, where: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(source, where, `"${field}" must be a non-empty string`);
  return value;
}

function strList(value: unknown, source: string, where: string, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    fail(source, where, `"${field}" must be a list of non-empty strings`);
  }
  return value as string[];
}

function hexString(value: unknown, source: string, where: string, field: string): string {
  const text = str(value, source, where, field).replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) fail(source, where, `"${field}" must be bytes in hex`);
  return text.toLowerCase();
}

function examplesOf(value: unknown, source: string, where: string): RuleExample[] {
  if (!Array.isArray(value)) fail(source, where, '"examples" must be a list');
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) fail(source, where, `examples[${i}] must have "text" and "secret" (or "hex")`);
    const { text, secret, path, hex, severity } = item as Record<string, unknown>;
    const example: RuleExample =
      hex !== undefined
        ? { text: '', hex: hexString(hex, source, where, `examples[${i}].hex`) }
        : { text: str(text, source, where, `examples[${i}].text`), secret: str(secret, source, where, `examples[${i}].secret`) };
    if (path !== undefined) example.path = str(path, source, where, `examples[${i}].path`);
    if (severity !== undefined) {
      if (!(SEVERITIES as readonly string[]).includes(severity as string)) fail(source, where, `examples[${i}].severity must be one of ${SEVERITIES.join(', ')}`);
      example.severity = severity as Severity;
    }
    return example;
  });
}

function negativeExamplesOf(value: unknown, source: string, where: string): RuleNegativeExample[] {
  if (!Array.isArray(value)) fail(source, where, '"negativeExamples" must be a list');
  return value.map((item: unknown, i) => {
    if (typeof item === 'string') return { text: item };
    if (typeof item !== 'object' || item === null) fail(source, where, `negativeExamples[${i}] must be a string or have "text"`);
    const { text, path, hex } = item as Record<string, unknown>;
    const negative: RuleNegativeExample =
      hex !== undefined
        ? { text: '', hex: hexString(hex, source, where, `negativeExamples[${i}].hex`) }
        : { text: str(text, source, where, `negativeExamples[${i}].text`) };
    if (path !== undefined) negative.path = str(path, source, where, `negativeExamples[${i}].path`);
    return negative;
  });
}

/** Checks one raw rule object against the format and returns it typed. */
export function toRuleSpec(raw: unknown, source: string, index: number): RuleSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(source, `rules[${index}]`, 'a rule must be a mapping');
  const r = raw as Record<string, unknown>;
  const id = str(r.id, source, `rules[${index}]`, 'id');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) fail(source, id, '"id" must be lower-case letters, digits and dashes');
  const where = id;
  const category = str(r.category, source, where, 'category');
  if (!(CATEGORIES as readonly string[]).includes(category)) fail(source, where, `"category" must be one of ${CATEGORIES.join(', ')}`);
  const severity = str(r.severity, source, where, 'severity');
  if (!(SEVERITIES as readonly string[]).includes(severity)) fail(source, where, `"severity" must be one of ${SEVERITIES.join(', ')}`);
  const spec: RuleSpec = {
    id,
    title: str(r.title, source, where, 'title'),
    category: category as Category,
    severity: severity as Severity,
    keywords: strList(r.keywords, source, where, 'keywords'),
    examples: examplesOf(r.examples, source, where),
    negativeExamples: negativeExamplesOf(r.negativeExamples, source, where),
    source,
  };
  if (r.signatures !== undefined) {
    const signatures = strList(r.signatures, source, where, 'signatures');
    for (const sig of signatures) {
      if (!/^(?:[0-9a-fA-F]{2}|\?\?)+$/.test(sig.replace(/\s+/g, ''))) fail(source, where, `signature "${sig}" must be hex bytes, with ?? for any byte`);
    }
    spec.signatures = signatures;
  }
  if (r.pattern !== undefined || spec.signatures === undefined) spec.pattern = str(r.pattern, source, where, 'pattern');
  if (r.anchored !== undefined) {
    if (typeof r.anchored !== 'boolean') fail(source, where, '"anchored" must be true or false');
    spec.anchored = r.anchored;
  }
  if (r.confidence !== undefined) {
    const confidence = str(r.confidence, source, where, 'confidence');
    if (!(CONFIDENCES as readonly string[]).includes(confidence)) fail(source, where, `"confidence" must be one of ${CONFIDENCES.join(', ')}`);
    spec.confidence = confidence as Confidence;
  }
  if (r.escalate !== undefined) {
    const e = r.escalate as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || typeof e.count !== 'number' || !Number.isInteger(e.count) || e.count < 2
      || !(SEVERITIES as readonly string[]).includes(e.severity as string)) {
      fail(source, where, '"escalate" must be { count: a whole number >= 2, severity: high | medium | low }');
    }
    spec.escalate = { count: e.count as number, severity: e.severity as Severity };
  }
  if (r.downgrade !== undefined) {
    const d = r.downgrade as Record<string, unknown> | null;
    if (typeof d !== 'object' || d === null || !(SEVERITIES as readonly string[]).includes(d.severity as string)) {
      fail(source, where, '"downgrade" must be { paths: [globs], severity: high | medium | low }');
    }
    const paths = strList(d.paths, source, where, 'downgrade.paths');
    if (paths.length === 0) fail(source, where, '"downgrade.paths" must list at least one glob');
    spec.downgrade = { paths, severity: d.severity as Severity };
  }
  // The prefilter is what keeps the engine fast: a rule with no keywords runs on every
  // byte of every file, which only an anchored, cheap pattern may do.
  if (spec.pattern !== undefined && spec.keywords.length === 0 && spec.anchored !== true) {
    fail(source, where, 'needs "keywords" (or "anchored: true" for a cheap pattern anchored on a literal)');
  }
  if (r.flags !== undefined) {
    const flags = typeof r.flags === 'string' ? r.flags : '';
    if (!ALLOWED_FLAGS.test(flags)) fail(source, where, '"flags" may only hold i, m, s and u');
    spec.flags = flags;
  }
  if (r.minEntropy !== undefined) {
    if (typeof r.minEntropy !== 'number' || r.minEntropy < 0 || r.minEntropy > 8) fail(source, where, '"minEntropy" must be a number from 0 to 8');
    spec.minEntropy = r.minEntropy;
  }
  if (r.validator !== undefined) {
    const validator = str(r.validator, source, where, 'validator');
    if (!(validator in VALIDATORS)) fail(source, where, `unknown validator "${validator}" (known: ${Object.keys(VALIDATORS).join(', ')})`);
    spec.validator = validator;
  }
  if (r.allow !== undefined) {
    if (typeof r.allow !== 'object' || r.allow === null) fail(source, where, '"allow" must be a mapping');
    const a = r.allow as Record<string, unknown>;
    spec.allow = {
      values: strList(a.values, source, where, 'allow.values'),
      patterns: strList(a.patterns, source, where, 'allow.patterns'),
      stopwords: strList(a.stopwords, source, where, 'allow.stopwords'),
    };
  }
  if (r.paths !== undefined) {
    if (typeof r.paths !== 'object' || r.paths === null) fail(source, where, '"paths" must be a mapping');
    const p = r.paths as Record<string, unknown>;
    spec.paths = {
      include: strList(p.include, source, where, 'paths.include'),
      exclude: strList(p.exclude, source, where, 'paths.exclude'),
    };
  }
  return spec;
}

/** Parses one rule file (YAML or JSON text, `rules:` at the top) into rule specs. */
export function parseRuleFile(text: string, source: string): RuleSpec[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new RuleFormatError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { rules?: unknown }).rules)) {
    throw new RuleFormatError(`${source}: expected a top-level "rules:" list`);
  }
  return ((doc as { rules: unknown[] }).rules).map((raw, i) => toRuleSpec(raw, source, i));
}

function globMatcher(globs: string[] | undefined): ((path: string) => boolean) | undefined {
  if (!globs || globs.length === 0) return undefined;
  return picomatch(globs, { dot: true, nocase: true });
}

/** Compiles a checked spec into a runnable rule. */
export function compileRule(spec: RuleSpec): CompiledRule {
  const where = spec.source ?? '(inline)';
  let regex: RegExp | undefined;
  if (spec.pattern !== undefined) {
    try {
      regex = new RegExp(spec.pattern, `g${spec.flags ?? ''}`);
    } catch (error) {
      throw new RuleFormatError(`${where}: ${spec.id}: "pattern" is not a valid regular expression: ${(error as Error).message}`);
    }
    if (!/\(\?<secret>/.test(spec.pattern)) throw new RuleFormatError(`${where}: ${spec.id}: "pattern" must have a named group (?<secret>...)`);
  }
  let allowPatterns: RegExp[];
  try {
    allowPatterns = (spec.allow?.patterns ?? []).map((p) => new RegExp(p, 'i'));
  } catch (error) {
    throw new RuleFormatError(`${where}: ${spec.id}: an "allow.patterns" entry is not a valid regular expression: ${(error as Error).message}`);
  }
  const include = globMatcher(spec.paths?.include);
  const exclude = globMatcher(spec.paths?.exclude);
  const downgradeIn = globMatcher(spec.downgrade?.paths);
  const signatures = (spec.signatures ?? []).map((sig) =>
    (sig.replace(/\s+/g, '').match(/.{2}/g) ?? []).map((byte) => (byte === '??' ? -1 : parseInt(byte, 16))),
  );
  return {
    spec,
    regex,
    signatures,
    allowValues: new Set(spec.allow?.values ?? []),
    allowPatterns,
    stopwords: (spec.allow?.stopwords ?? []).map((s) => s.toLowerCase()),
    keywords: spec.keywords.map((k) => k.toLowerCase()),
    pathAllowed: (path) => (include === undefined || include(path)) && (exclude === undefined || !exclude(path)),
    severityCapAt: (path) => (downgradeIn !== undefined && downgradeIn(path) ? spec.downgrade!.severity : undefined),
    validate: spec.validator ? VALIDATORS[spec.validator] : undefined,
  };
}

/** Compiles a whole rule set, refusing duplicate ids (a later file cannot silently replace a rule). */
export function compileRules(specs: RuleSpec[]): CompiledRule[] {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const earlier = seen.get(spec.id);
    if (earlier !== undefined) {
      throw new RuleFormatError(`${spec.source ?? '(inline)'}: ${spec.id}: duplicate rule id (also in ${earlier})`);
    }
    seen.set(spec.id, spec.source ?? '(inline)');
  }
  return specs.map(compileRule);
}
