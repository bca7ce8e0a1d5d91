import { Box, Text } from 'ink';
import { elideBefore, fit, shortTime } from '../format.js';
import { useTheme } from '../theme.js';
import { useBrowser, useScreenKeys } from './browser-context.js';
import { Frame } from './frame.js';
import { useLoad } from './use-load.js';
import { useTriageKeys } from './use-triage-keys.js';
import type { View } from './views.js';
import { printable, printablePath } from '../../report/printable.js';

// One finding: what and where, its triage state and note, and a few lines of the
// file around it, redacted (read from the repo, or the clone cache, at the scanned
// commit). Triage keys act on it here too.

type FindingView = Extract<View, { screen: 'finding' }>;

export function FindingScreen({ view }: { view: FindingView }) {
  const theme = useTheme();
  const { source, size, bodyRows } = useBrowser();
  const { data: repo, error, loading, reload } = useLoad(() => source.repo(view.key), [view.key]);
  const finding = repo?.findings.find((f) => f.fingerprint === view.fingerprint && f.path === view.path && f.line === view.line && f.column === view.column);
  const { data: context } = useLoad(
    async () => (repo && finding ? source.findingContext(repo, finding) : undefined),
    [repo?.scanId, finding?.fingerprint, finding?.path, finding?.line],
  );
  const triageKey = useTriageKeys(view.key, finding, reload);
  useScreenKeys((input) => void triageKey(input));

  const hints = 'f false-positive  a accepted-risk  r revoked  o reopen  Esc back';
  const title = `finding · ${view.path}:${view.line}`;
  if (error) return <Frame title={title} hints={hints}><Text color={theme.verdict('error')}>{`cannot read the database: ${error}`}</Text></Frame>;
  if (!finding || !repo) return <Frame title={title} hints={hints}><Text>{loading ? 'loading…' : 'this finding is no longer in the latest result of the repo'}</Text></Frame>;
  const numberWidth = String((context?.kind === 'lines' ? context.lines.at(-1)?.number : finding.line) ?? finding.line).length;
  // A value far to the right (in a long connection string) is brought on screen by eliding the middle of its line.
  const textWidth = size.columns - numberWidth - 5;
  // A file's own text may hold escape sequences (a repo is untrusted): cut first, then shown escaped.
  const shown = (line: { text: string; focus?: number }) => printable(line.focus === undefined ? line.text : elideBefore(line.text, line.focus, textWidth));
  return (
    <Frame title={title} hints={hints}>
      <Text wrap="truncate-end">
        <Text bold>{`${printablePath(finding.path)}:${finding.line}:${finding.column}`}</Text>
        {`  ${finding.ruleId}  `}
        <Text color={theme.dim}>{finding.title}</Text>
      </Text>
      <Text wrap="truncate-end">
        {'severity '}
        <Text color={theme.severity(finding.severity)}>{finding.severity}</Text>
        {` · confidence ${finding.confidence} · ${finding.category} · in ${printablePath(repo.name)} (`}
        <Text color={theme.verdict(repo.verdict)}>{repo.verdict}</Text>
        {')'}
      </Text>
      <Text wrap="truncate-end">{`preview ${finding.redacted}  ·  fingerprint ${finding.fingerprint}`}</Text>
      <Text wrap="truncate-end">
        {'triage '}
        <Text bold color={theme.triage(finding.triage)}>{finding.triage}</Text>
        {finding.triageWho ? ` by ${finding.triageWho} ${shortTime(finding.triageAt)}` : ''}
        {finding.triageNote ? `: "${finding.triageNote}"` : ''}
        {finding.suppressedBy ? ` · suppressed by the repo (${finding.suppressedBy.marker}, line ${finding.suppressedBy.line})` : ''}
      </Text>
      <Text> </Text>
      {context === undefined ? <Text>reading the file…</Text>
        : context.kind === 'unavailable' ? <Text wrap="wrap">{`No context: ${printable(context.reason)}.`}</Text>
        : (
          <Box flexDirection="column">
            {context.revealed
              ? <Text bold color={theme.verdict('review-needed')} wrap="truncate-end">{fit(`SECRETS SHOWN (--reveal) · from ${context.from}`, size.columns)}</Text>
              : <Text color={theme.dim} wrap="truncate-end">{fit(`secrets masked · from ${context.from}`, size.columns)}</Text>}
            {context.lines.slice(0, Math.max(1, bodyRows - 6)).map((line) => (
              <Text key={line.number} wrap="truncate-end" bold={line.isFinding}>
                <Text color={line.isFinding ? theme.accent : theme.dim}>{`${line.isFinding ? '>' : ' '} ${String(line.number).padStart(numberWidth)} │ `}</Text>
                {shown(line)}
              </Text>
            ))}
          </Box>
        )}
    </Frame>
  );
}
