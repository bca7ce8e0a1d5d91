import { Box, Text } from 'ink';
import { verdictLabel } from '../../triage/verdict.js';
import { fit, fitPreview, shortTime } from '../format.js';
import { useTheme } from '../theme.js';
import { useBrowser, useScreenKeys } from './browser-context.js';
import { Frame } from './frame.js';
import { useLoad } from './use-load.js';
import { useTriageKeys } from './use-triage-keys.js';
import type { View } from './views.js';
import { printable, printablePath } from '../../report/printable.js';

// One repo's latest result: the verdict and its reasons, then every finding (open
// ones first, by severity) with where it is, the rule, severity, the redacted
// preview and its triage state. Triage keys act on the selected finding.

type RepoView = Extract<View, { screen: 'repo' }>;

const MAX_REASONS = 4;
/** Triage states as the finding list shows them, in ten columns. */
const SHORT_TRIAGE: Record<string, string> = { open: 'open', 'false-positive': 'false-pos', 'accepted-risk': 'accepted', revoked: 'revoked' };

export function RepoScreen({ view }: { view: RepoView }) {
  const theme = useTheme();
  const { source, open, update, size, bodyRows } = useBrowser();
  const { data: repo, error, loading, reload } = useLoad(() => source.repo(view.key), [view.key]);
  const findings = repo?.findings ?? [];
  const selected = Math.min(view.selected, Math.max(0, findings.length - 1));
  const finding = findings[selected];
  const triageKey = useTriageKeys(view.key, finding, reload);
  const select = (index: number) => update({ ...view, selected: Math.max(0, Math.min(findings.length - 1, index)) });

  useScreenKeys((input, key) => {
    if (triageKey(input)) return;
    if (key.downArrow || input === 'j') select(selected + 1);
    else if (key.upArrow || input === 'k') select(selected - 1);
    else if (key.pageDown) select(selected + 10);
    else if (key.pageUp) select(selected - 10);
    else if ((key.return || key.rightArrow || input === 'l') && finding) {
      open({ screen: 'finding', key: view.key, fingerprint: finding.fingerprint, path: finding.path, line: finding.line, column: finding.column });
    }
  });

  const hints = '↑↓ move  Enter context  f false-positive  a accepted-risk  r revoked  o reopen';
  if (error) return <Frame title="repo" hints={hints}><Text color={theme.verdict('error')}>{`cannot read the database: ${error}`}</Text></Frame>;
  if (!repo) return <Frame title="repo" hints={hints}><Text>{loading ? 'loading…' : 'this repo is not in the database'}</Text></Frame>;

  const reasons = repo.reasons.slice(0, MAX_REASONS);
  const moreReasons = repo.reasons.length - reasons.length;
  // Lines above the findings: verdict, where, blank, reasons (+ "more"), blank, findings heading.
  const above = 3 + reasons.length + (moreReasons > 0 ? 1 : 0) + 2;
  const listRows = Math.max(1, bodyRows - above);
  const first = Math.max(0, Math.min(selected - Math.floor(listRows / 2), findings.length - listRows));
  const visible = findings.slice(first, first + listRows);
  const openCount = findings.filter((f) => f.triage !== 'false-positive' && f.triage !== 'accepted-risk' && !f.suppressedBy).length;
  // Columns: marker 2, place, rule, severity 7, preview (at most 24: redacted previews are short), triage 10.
  const rest = size.columns - 2 - 7 - 10 - 3;
  const previewWidth = Math.min(24, Math.max(14, Math.floor(rest * 0.3)));
  const placeWidth = Math.floor((rest - previewWidth) * 0.55);
  const ruleWidth = rest - previewWidth - placeWidth;
  return (
    <Frame title={`repo · ${repo.name}`} hints={hints}>
      <Text wrap="truncate-end">
        <Text bold>{printablePath(repo.name)}</Text>
        {'  '}
        <Text bold color={theme.verdict(repo.verdict)}>{verdictLabel(repo.verdict, repo.historyScanned, repo.headCommit ?? null)}</Text>
      </Text>
      <Text color={theme.dim} wrap="truncate-end">
        {`${printablePath(repo.key.startsWith('local:') ? repo.key.slice(6) : repo.source)}  ·  HEAD ${repo.headCommit?.slice(0, 12) ?? '-'}  ·  ${repo.historyScanned ? 'history scanned' : 'HEAD only'}  ·  scanned ${shortTime(repo.scannedAt)}`}
      </Text>
      <Text> </Text>
      {reasons.length === 0 ? null : reasons.map((reason, i) => <Text key={i} wrap="truncate-end">{`• ${printable(reason)}`}</Text>)}
      {moreReasons > 0 ? <Text color={theme.dim}>{`  and ${moreReasons} more reason${moreReasons === 1 ? '' : 's'}`}</Text> : null}
      <Text> </Text>
      <Text bold color={theme.accent} wrap="truncate-end">
        {findings.length === 0 ? 'No findings.' : `FINDINGS (${findings.length}, ${openCount} open)  ${selected + 1}/${findings.length}`}
      </Text>
      {visible.map((f, i) => {
        const isSelected = first + i === selected;
        return (
          <Box key={`${f.fingerprint}:${f.path}:${f.line}:${f.column}`}>
            <Text bold={isSelected} inverse={isSelected && theme.colour} wrap="truncate-end">
              {isSelected ? '› ' : '  '}
              {`${fit(`${f.path}:${f.line}`, placeWidth, true)} ${fit(f.ruleId, ruleWidth, true)} `}
              <Text color={theme.severity(f.severity)}>{f.severity.padEnd(7)}</Text>
              {`${fitPreview(f.redacted, previewWidth).padEnd(previewWidth)} `}
              <Text color={theme.triage(f.triage)}>{f.suppressedBy && f.triage === 'open' ? 'suppressed' : SHORT_TRIAGE[f.triage]}</Text>
            </Text>
          </Box>
        );
      })}
    </Frame>
  );
}
