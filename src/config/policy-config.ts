import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SEVERITIES, type RuleSpec, type Severity } from '../detect/rule-types.js';
import { UsageError } from '../usage-error.js';

// The central policy: keepopen.config.yaml (or .yml, .json) in the working folder,
// or --config FILE. It belongs to whoever runs the triage, not to the repos being
// judged, so what it allows holds under --strict.

export const CONFIG_FILE_NAMES = ['keepopen.config.yaml', 'keepopen.config.yml', 'keepopen.config.json'];

export interface PolicyConfig {
  /** Where it came from (undefined: no file, defaults). */
  file?: string;
  /** Severities that make a repo review-needed. */
  reviewSeverities: Severity[];
  /** The organisation's own internal DNS suffixes (nhs.local, corp.example.org). */
  hostnameSuffixes: string[];
  /** Extra rule folders, resolved against the config file's folder. */
  ruleFolders: string[];
  /** Globs of paths never scanned. */
  excludePaths: string[];
  /** Finding fingerprints allowlisted centrally. */
  allowFingerprints: string[];
}

export const DEFAULT_CONFIG: PolicyConfig = {
  reviewSeverities: ['high', 'medium'],
  hostnameSuffixes: [],
  ruleFolders: [],
  excludePaths: [],
  allowFingerprints: [],
};

function strings(value: unknown, file: string, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new UsageError(`${file}: "${field}" must be a list of strings`);
  }
  return value as string[];
}

/** Parses a policy file's text. Throws UsageError naming the file and field. */
export function parsePolicyConfig(text: string, file: string): PolicyConfig {
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'} (${(error as Error).message.split('\n')[0]}): fix it or give another --config`);
  }
  if (doc === null || doc === undefined) return { ...DEFAULT_CONFIG, file };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file}: expected a mapping at the top`);
  const d = doc as Record<string, Record<string, unknown> | undefined>;
  const known = new Set(['review', 'organisation', 'rules', 'paths', 'allow']);
  const unknown = Object.keys(d).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new UsageError(`${file}: unknown setting "${unknown[0]}" (known: ${[...known].join(', ')})`);
  const severities = d.review?.severities === undefined ? DEFAULT_CONFIG.reviewSeverities : strings(d.review.severities, file, 'review.severities');
  for (const s of severities) {
    if (!(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`${file}: "review.severities" may hold only ${SEVERITIES.join(', ')} (got "${s}")`);
  }
  const suffixes = strings(d.organisation?.hostnameSuffixes, file, 'organisation.hostnameSuffixes').map((s) => s.replace(/^\.+/, '').toLowerCase());
  for (const s of suffixes) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(s)) {
      throw new UsageError(`${file}: "${s}" in organisation.hostnameSuffixes is not a DNS suffix`);
    }
  }
  const base = dirname(resolve(file));
  return {
    file,
    reviewSeverities: severities as Severity[],
    hostnameSuffixes: suffixes,
    ruleFolders: strings(d.rules?.folders, file, 'rules.folders').map((f) => resolve(base, f)),
    excludePaths: strings(d.paths?.exclude, file, 'paths.exclude'),
    allowFingerprints: strings(d.allow?.fingerprints, file, 'allow.fingerprints'),
  };
}

/** The policy in effect: --config FILE, else keepopen.config.* in the working folder, else defaults. */
export function loadPolicyConfig(explicit: string | undefined, cwd = process.cwd()): PolicyConfig {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new UsageError(`config file ${explicit} does not exist`);
    return parsePolicyConfig(readFileSync(explicit, 'utf8'), explicit);
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return parsePolicyConfig(readFileSync(path, 'utf8'), name);
  }
  return { ...DEFAULT_CONFIG };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A rule for the organisation's own internal DNS names, made from the configured
 * suffixes: hostnames under them in configuration and docs map the estate. Built as
 * data (a rule spec) so it runs, and is tested, like any rule in patterns/.
 */
export function organisationHostnameRule(suffixes: string[]): RuleSpec | undefined {
  if (suffixes.length === 0) return undefined;
  const alternatives = suffixes.map(escapeRegex).join('|');
  const first = suffixes[0]!;
  return {
    id: 'organisation-internal-hostname',
    title: 'Host name under one of the organisation\'s internal DNS suffixes',
    category: 'infrastructure',
    severity: 'low',
    keywords: suffixes,
    flags: 'i',
    pattern: `(?<![A-Za-z0-9.-])(?<secret>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.){1,6}(?:${alternatives}))(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`,
    escalate: { count: 4, severity: 'medium' },
    examples: [
      { text: `db_host: records-db-01.${first}`, secret: `records-db-01.${first}` },
      { text: `url = "https://pas-app.prod.${first}/api"`, secret: `pas-app.prod.${first}` },
    ],
    negativeExamples: [{ text: `domain: ${first}` }, { text: 'host: www.example.org' }],
    source: '(keepopen.config organisation.hostnameSuffixes)',
  };
}
