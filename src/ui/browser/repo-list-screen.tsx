import { Box, Text } from 'ink';
import type { FilterChoices, RepoFilter } from '../../store/ui-queries.js';
import { count, fit } from '../format.js';
import { useTheme } from '../theme.js';
import { useBrowser, useScreenKeys } from './browser-context.js';
import { Frame } from './frame.js';
import { useLoad } from './use-load.js';
import type { View } from './views.js';

// Every repo's latest result, riskiest first (review-needed, then error, then
// keep-open; within each, open findings weighted by severity), a page at a time so
// thousands of repos stay quick; filters cycle through the values in the database.

type ReposView = Extract<View, { screen: 'repos' }>;
type FilterName = 'verdict' | 'category' | 'owner' | 'rule';

const FILTER_KEYS: Record<string, [FilterName, keyof FilterChoices]> = {
  v: ['verdict', 'verdicts'],
  c: ['category', 'categories'],
  o: ['owner', 'owners'],
  r: ['rule', 'rules'],
};

/** The value after `current` in [none, ...choices], wrapping round to none. */
function nextChoice(choices: string[], current: string | undefined): string | undefined {
  const at = current === undefined ? -1 : choices.indexOf(current);
  return at + 1 < choices.length ? choices[at + 1] : undefined;
}

function describeFilter(filter: RepoFilter): string {
  const parts = (['verdict', 'category', 'owner', 'rule'] as const).filter((k) => filter[k]).map((k) => `${k}=${filter[k]}`);
  if (filter.text) parts.push(`"${filter.text}"`);
  return parts.length > 0 ? parts.join(' ') : 'no filter';
}

export function RepoListScreen({ view }: { view: ReposView }) {
  const theme = useTheme();
  const { source, open, update, ask, size, bodyRows } = useBrowser();
  // Two body lines are the summary and the column heads; the rest are rows.
  const pageSize = Math.max(1, bodyRows - 2);
  const wanted = Math.floor(view.selected / pageSize) * pageSize;
  const filterKey = JSON.stringify(view.filter);
  // A page remembers what it was loaded for: while the next one loads, the old one is drawn as it was.
  const { data: page, error } = useLoad(
    async () => ({ ...(await source.repoPage(view.filter, wanted, pageSize)), offset: wanted, filterKey }),
    [filterKey, wanted, pageSize],
  );
  const { data: choices } = useLoad(() => source.filterChoices(), []);
  const current = page !== undefined && page.filterKey === filterKey && page.offset === wanted;
  const offset = page?.offset ?? wanted;
  const total = page?.total ?? 0;
  const select = (index: number) => update({ ...view, selected: Math.max(0, Math.min(total - 1, index)) });
  const filtered = (filter: RepoFilter) => update({ ...view, filter, selected: 0 });

  useScreenKeys((input, key) => {
    if (key.downArrow || input === 'j') select(view.selected + 1);
    else if (key.upArrow || input === 'k') select(view.selected - 1);
    else if (key.pageDown || input === ']' || input === ' ') select(view.selected + pageSize);
    else if (key.pageUp || input === '[') select(view.selected - pageSize);
    else if (input === 'g' || key.home) select(0);
    else if (input === 'G' || key.end) select(total - 1);
    else if (key.return || key.rightArrow || input === 'l') {
      const row = page?.rows[view.selected - offset];
      if (row) open({ screen: 'repo', key: row.key, selected: 0 });
    } else if (input === 'x') filtered({});
    else if (input === '/') {
      ask({
        label: 'search',
        initial: view.filter.text ?? '',
        onSubmit: (text) => filtered({ ...view.filter, text: text.trim() === '' ? undefined : text.trim() }),
      });
    } else if (FILTER_KEYS[input] && choices) {
      const [name, list] = FILTER_KEYS[input];
      filtered({ ...view.filter, [name]: nextChoice(choices[list], view.filter[name]) });
    }
  });

  const hints = '↑↓ move  Enter open  PgDn/PgUp page  v c o r filter  / search  x clear  Esc back';
  const title = `repos · ${describeFilter(view.filter)}`;
  if (error) return <Frame title={title} hints={hints}><Text color={theme.verdict('error')}>{`cannot read the database: ${error}`}</Text></Frame>;
  const rows = page?.rows ?? [];
  const nameWidth = size.columns - 2 - 14 - 6 - 7 - 3;
  return (
    <Frame title={title} hints={hints}>
      <Text wrap="truncate-end">
        {!current || choices === undefined ? 'loading…'
          : total === 0 ? 'no repo matches: x clears the filters'
          : `${count(total)} repo${total === 1 ? '' : 's'}, riskiest first · ${count(offset + 1)}–${count(offset + rows.length)} · page ${Math.floor(offset / pageSize) + 1} of ${Math.ceil(total / pageSize)}`}
      </Text>
      <Text bold color={theme.accent}>{`  ${'VERDICT'.padEnd(14)}${'OPEN'.padStart(6)}${'RISK'.padStart(7)}   REPO`}</Text>
      {rows.map((row, index) => {
        const selected = offset + index === view.selected;
        return (
          <Box key={row.key}>
            <Text bold={selected} inverse={selected && theme.colour} wrap="truncate-end">
              {selected ? '› ' : '  '}
              <Text color={theme.verdict(row.verdict)}>{row.verdict.padEnd(14)}</Text>
              {`${count(row.openFindings).padStart(6)}${count(row.risk).padStart(7)}   ${fit(row.name, nameWidth, true)}`}
            </Text>
          </Box>
        );
      })}
    </Frame>
  );
}
