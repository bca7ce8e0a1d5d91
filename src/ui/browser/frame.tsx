import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { fit } from '../format.js';
import { useTheme } from '../theme.js';
import { useBrowser } from './browser-context.js';
import { printable } from '../../report/printable.js';

// The layout every screen shares, sized to the terminal: a title line, a rule, the
// body (exactly bodyRows lines), a status or prompt line, and the screen's keys.
// It never draws more lines than the terminal has, so nothing scrolls or flickers.

export const FRAME_LINES = 4;

export function Frame({ title, hints, children }: { title: string; hints: string; children: ReactNode }) {
  const theme = useTheme();
  const { size, bodyRows, prompt, status } = useBrowser();
  const right = '? keys  q quit';
  return (
    <Box flexDirection="column" width={size.columns} height={bodyRows + FRAME_LINES}>
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>keepopen</Text>
        {` · ${fit(title, size.columns - right.length - 13, true)} `}
        <Text color={theme.dim}>{right}</Text>
      </Text>
      <Text color={theme.dim}>{'─'.repeat(size.columns)}</Text>
      <Box flexDirection="column" height={bodyRows} overflow="hidden">
        {children}
      </Box>
      {prompt ? (
        <Text wrap="truncate-start">
          <Text bold>{prompt.label}: </Text>
          {prompt.value}
          <Text inverse> </Text>
        </Text>
      ) : (
        <Text wrap="truncate-end">{printable(status) || ' '}</Text>
      )}
      <Text color={theme.dim} wrap="truncate-end">{prompt ? 'Enter save  Esc cancel' : hints}</Text>
    </Box>
  );
}
