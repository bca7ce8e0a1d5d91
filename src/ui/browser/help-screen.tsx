import { Box, Text } from 'ink';
import { fit } from '../format.js';
import { useTheme } from '../theme.js';
import { useBrowser } from './browser-context.js';
import { Frame } from './frame.js';
import { KEY_HELP } from './key-help.js';

// `?`: every key, by the screen it works on, in two columns so it fits 80x24.

const KEY_WIDTH = 9;

function Group({ group, width }: { group: (typeof KEY_HELP)[number]; width: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text bold color={theme.accent}>{group.where}</Text>
      {group.keys.map(([key, what]) => (
        <Text key={key} wrap="truncate-end">{`${key.padEnd(KEY_WIDTH)}${fit(what, width - KEY_WIDTH)}`}</Text>
      ))}
    </Box>
  );
}

export function HelpScreen() {
  const { size } = useBrowser();
  const half = Math.floor((size.columns - 2) / 2);
  return (
    <Frame title="keys" hints="? or Esc close help  q quit">
      <Box flexDirection="row">
        <Box flexDirection="column" width={half}>
          {KEY_HELP.slice(0, 2).map((group) => <Group key={group.where} group={group} width={half} />)}
        </Box>
        <Text>  </Text>
        <Box flexDirection="column" width={half}>
          {KEY_HELP.slice(2).map((group) => <Group key={group.where} group={group} width={half} />)}
        </Box>
      </Box>
    </Frame>
  );
}
