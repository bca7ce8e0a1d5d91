import type { ExportFinding, ExportSet } from '../../store/export-queries.js';
import { safeJson } from '../printable.js';

// SARIF 2.1.0, as GitHub code scanning accepts it: one run per repository (with
// versionControlProvenance), a rule per rule id, a result per finding with a
// partial fingerprint so alerts survive line moves. Values appear only redacted.
// Triage decisions and the repo's own suppressions become SARIF suppressions.

const LEVEL: Record<string, 'error' | 'warning' | 'note'> = { high: 'error', medium: 'warning', low: 'note' };

function suppressions(f: ExportFinding): object[] | undefined {
  const list: object[] = [];
  if (f.triage === 'false-positive' || f.triage === 'accepted-risk') {
    list.push({ kind: 'external', status: 'accepted', justification: `${f.triage}${f.triageNote ? `: ${f.triageNote}` : ''}` });
  }
  if (f.suppressedBy) list.push({ kind: 'inSource', status: 'accepted', justification: f.suppressedBy.marker });
  return list.length > 0 ? list : undefined;
}

export function renderSarif(set: ExportSet, version: string): string {
  const runs = set.repos.map((repo) => {
    const ruleIds = [...new Set(repo.findings.map((f) => f.ruleId))].sort();
    const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
    const rules = ruleIds.map((id) => {
      const f = repo.findings.find((x) => x.ruleId === id)!;
      return {
        id,
        name: id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
        shortDescription: { text: f.title || id },
        defaultConfiguration: { level: LEVEL[f.severity] ?? 'warning' },
        properties: { category: f.category, tags: ['security', f.category] },
      };
    });
    const run: Record<string, unknown> = {
      tool: { driver: { name: 'keepopen', semanticVersion: version, version, rules } },
      automationDetails: { id: `keepopen/${repo.name}/` },
      results: repo.findings.map((f) => {
        const result: Record<string, unknown> = {
          ruleId: f.ruleId,
          ruleIndex: ruleIndex.get(f.ruleId),
          level: LEVEL[f.severity] ?? 'warning',
          message: { text: `${f.title || f.ruleId} (${f.severity}): ${f.redacted}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.path) }, region: { startLine: f.line, startColumn: f.column } } }],
          partialFingerprints: { 'keepopenFingerprint/v1': f.fingerprint },
          properties: { category: f.category, confidence: f.confidence, triage: f.triage, repository: repo.name },
        };
        const s = suppressions(f);
        if (s) result.suppressions = s;
        return result;
      }),
      properties: { verdict: repo.verdict, reasons: repo.reasons, historyScanned: repo.historyScanned },
    };
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo.source)) {
      run.versionControlProvenance = [{ repositoryUri: repo.source, ...(repo.headCommit ? { revisionId: repo.headCommit } : {}) }];
    }
    return run;
  });
  return safeJson(JSON.stringify({ version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs }, null, 2)) + '\n';
}
