import type { RepoFilter } from '../../store/ui-queries.js';

// The screens the browser can show, with what each needs to be shown again the
// same way after going back (filters, selection): kept on the navigation stack.

export type View =
  | { screen: 'dashboard' }
  | { screen: 'repos'; filter: RepoFilter; /** Index of the selected repo in the whole filtered list. */ selected: number }
  | { screen: 'repo'; key: string; selected: number }
  | { screen: 'finding'; key: string; fingerprint: string; path: string; line: number; column: number };
