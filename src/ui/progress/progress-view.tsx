import { Box, Static, Text } from 'ink';
import { count, duration, fit, rate } from '../format.js';
import { useTheme } from '../theme.js';
import type { ProgressSnapshot } from './progress-tracker.js';

// The live view of a scan: a bar, throughput and ETA, the verdicts so far, the repos
// in flight; failures are printed above it as they happen and stay in the scrollback.

const MAX_IN_FLIGHT_SHOWN = 6;

export interface ProgressViewProps {
  snapshot: ProgressSnapshot;
  /** Terminal width; the view fits in it (80 columns and up read well). */
  columns: number;
  /** When the snapshot was taken, for how long each repo in flight has run. */
  now: number;
}

function Bar({ done, total, width }: { done: number; total: number; width: number }) {
  const theme = useTheme();
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return (
    <Text>
      <Text color={theme.accent}>{'█'.repeat(filled)}</Text>
      <Text color={theme.dim}>{'░'.repeat(Math.max(0, width - filled))}</Text>
    </Text>
  );
}

export function ProgressView({ snapshot: s, columns, now }: ProgressViewProps) {
  const theme = useTheme();
  const width = Math.max(40, columns);
  const percent = s.total > 0 ? Math.floor((s.done / s.total) * 100) : 0;
  const tally = `${count(s.done)}/${count(s.total)} ${String(percent).padStart(3)}%`;
  const label = s.finished ? 'scanned ' : 'scanning';
  const barWidth = Math.max(10, width - label.length - tally.length - 4);
  const eta = s.finished ? `took ${duration(s.elapsedMs)}` : `elapsed ${duration(s.elapsedMs)} · ETA ${s.etaMs === undefined ? '--:--' : duration(s.etaMs)}`;
  const shown = s.inFlight.slice(0, MAX_IN_FLIGHT_SHOWN);
  const nameWidth = width - 12;
  return (
    <Box flexDirection="column">
      <Static items={s.failures}>
        {(failure, index) => (
          <Text key={index} wrap="truncate-end">
            <Text color={theme.verdict('error')}>✗ error </Text>
            {fit(`${failure.name}: ${failure.reason}`, width - 9)}
          </Text>
        )}
      </Static>
      <Text>
        <Text bold>{label}</Text> <Bar done={s.done} total={s.total} width={barWidth} /> {tally}
      </Text>
      <Text wrap="truncate-end">
        {`${s.reposPerMinute.toFixed(1)} repos/min · ${rate(s.bytesPerSecond)} · ${eta}`}
      </Text>
      <Text wrap="truncate-end">
        <Text color={theme.verdict('keep-open')}>keep-open {count(s.keepOpen)}</Text>
        {'  '}
        <Text color={theme.verdict('review-needed')}>review-needed {count(s.reviewNeeded)}</Text>
        {'  '}
        <Text color={theme.verdict('error')}>error {count(s.error)}</Text>
        {`  findings ${count(s.findings)}`}
        {s.unchanged > 0 ? `  unchanged ${count(s.unchanged)}` : ''}
        {s.skipped > 0 ? `  skipped ${count(s.skipped)}` : ''}
      </Text>
      {!s.finished && s.inFlight.length > 0 ? (
        <Box flexDirection="column">
          <Text color={theme.dim}>in flight ({s.inFlight.length}):</Text>
          {shown.map((repo, index) => (
            <Text key={index} wrap="truncate-end">
              {'  '}
              {fit(repo.name, nameWidth, true)} {duration(now - repo.startedAt).padStart(7)}
            </Text>
          ))}
          {s.inFlight.length > shown.length ? <Text color={theme.dim}>{`  and ${s.inFlight.length - shown.length} more`}</Text> : null}
        </Box>
      ) : null}
    </Box>
  );
}
