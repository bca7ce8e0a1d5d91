import { Box, Text, useApp, useInput } from 'ink';
import { useTheme } from '../theme.js';

// What `keepopen ui` shows when there is nothing to browse yet: a missing database
// file, or one without any scan. It says how to make one, and waits for q.

export function NoDataScreen({ db, reason }: { db: string; reason: 'missing' | 'empty' }) {
  const theme = useTheme();
  const { exit } = useApp();
  useInput((input, key) => {
    if (input === 'q' || key.escape || key.return) exit();
  });
  return (
    <Box flexDirection="column" paddingX={1} paddingY={1}>
      <Text bold color={theme.accent}>keepopen</Text>
      <Text> </Text>
      <Text>{reason === 'missing' ? `There is no keepopen database at ${db}.` : `The database ${db} has no scan results yet.`}</Text>
      <Text> </Text>
      <Text>Scan some repositories first, for example:</Text>
      <Text>{`  keepopen scan ~/mirrors/my-org --db ${db}`}</Text>
      <Text>{`  keepopen scan --org my-org --db ${db}`}</Text>
      <Text>{'then run keepopen ui again (give --db FILE for another database).'}</Text>
      <Text> </Text>
      <Text color={theme.dim}>Press q to quit.</Text>
    </Box>
  );
}
