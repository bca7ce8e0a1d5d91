import { Box, Text } from 'ink';
import type { FindingGroupCount } from '../../store/ui-queries.js';
import { count, duration, fit, shortTime } from '../format.js';
import { useTheme } from '../theme.js';
import { useBrowser, useScreenKeys } from './browser-context.js';
import { Frame } from './frame.js';
import { useLoad } from './use-load.js';

// The first screen: how the estate stands (verdict counts), what was found (by
// category and by rule, open beside all), and the last scans.

const VERDICT_KEYS: Record<string, string> = { '1': 'review-needed', '2': 'error', '3': 'keep-open' };

function GroupTable({ title, groups, width, rows }: { title: string; groups: FindingGroupCount[]; width: number; rows: number }) {
  const theme = useTheme();
  const nameWidth = width - 14;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={theme.accent}>{`${fit(title, nameWidth, true)} ${'ALL'.padStart(6)} ${'OPEN'.padStart(6)}`}</Text>
      {groups.length === 0 ? <Text color={theme.dim}>none</Text> : null}
      {groups.slice(0, rows).map((g) => (
        <Text key={g.name}>{`${fit(g.name, nameWidth, true)} ${count(g.findings).padStart(6)} ${count(g.open).padStart(6)}`}</Text>
      ))}
    </Box>
  );
}

export function DashboardScreen() {
  const theme = useTheme();
  const { source, open, size, bodyRows } = useBrowser();
  const { data, error } = useLoad(() => source.dashboard(), []);
  useScreenKeys((input, key) => {
    if (key.return || input === 'l' || key.rightArrow) open({ screen: 'repos', filter: {}, selected: 0 });
    const verdict = VERDICT_KEYS[input];
    if (verdict) open({ screen: 'repos', filter: { verdict }, selected: 0 });
  });
  const hints = 'Enter repos  1 review-needed  2 error  3 keep-open  e export shortlist';
  if (error) return <Frame title="dashboard" hints={hints}><Text color={theme.verdict('error')}>{`cannot read the database: ${error}`}</Text></Frame>;
  if (!data) return <Frame title="dashboard" hints={hints}><Text>loading…</Text></Frame>;
  const half = Math.floor((size.columns - 2) / 2);
  // Rows left for the two tables once the summary (3 lines) and the scans (heading + up to 5) are drawn.
  const scans = data.lastScans.slice(0, Math.max(1, Math.min(5, bodyRows - 12)));
  const tableRows = Math.max(1, bodyRows - 3 - 2 - scans.length - 2);
  return (
    <Frame title="dashboard" hints={hints}>
      <Text>
        {`${count(data.repos)} repos   `}
        <Text color={theme.verdict('review-needed')}>{`review-needed ${count(data.verdicts['review-needed'])}`}</Text>
        {'   '}
        <Text color={theme.verdict('error')}>{`error ${count(data.verdicts.error)}`}</Text>
        {'   '}
        <Text color={theme.verdict('keep-open')}>{`keep-open ${count(data.verdicts['keep-open'])}`}</Text>
      </Text>
      <Text>{`${count(data.findings)} findings, ${count(data.openFindings)} open (not triaged away or suppressed)`}</Text>
      <Text> </Text>
      <Box flexDirection="row" height={Math.min(tableRows, Math.max(1, data.byCategory.length, data.byRule.length)) + 1}>
        <GroupTable title="BY CATEGORY" groups={data.byCategory} width={half} rows={tableRows} />
        <Text>  </Text>
        <GroupTable title="BY RULE" groups={data.byRule} width={half} rows={tableRows} />
      </Box>
      <Text> </Text>
      <Text bold color={theme.accent}>LAST SCANS</Text>
      {scans.map((s) => (
        <Text key={s.id} wrap="truncate-end">
          {`${shortTime(s.startedAt)}  ${count(s.repos).padStart(6)} repos  ${(s.finishedAt ? duration(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) : 'unfinished').padStart(10)}  ${s.command}`}
        </Text>
      ))}
    </Frame>
  );
}
