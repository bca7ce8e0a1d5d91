import type { TriageStatus } from '../../triage/verdict.js';

// Every key of the browser, by where it works: the one table the help screen
// shows, so help and behaviour are read side by side. Each line fits half of an
// 80-column terminal (the help is two columns, so it fits in 24 rows).

export const KEY_HELP: { where: string; keys: [key: string, what: string][] }[] = [
  {
    where: 'Everywhere',
    keys: [
      ['↑ ↓ k j', 'move the selection'],
      ['Enter', 'open the selected item'],
      ['Esc', 'back'],
      ['e', 'export keep-open shortlist'],
      ['?', 'show or hide this help'],
      ['q', 'quit'],
    ],
  },
  {
    where: 'Dashboard',
    keys: [
      ['Enter l', 'all repos, riskiest first'],
      ['1 2 3', 'review-needed/error/keep-open'],
    ],
  },
  {
    where: 'Repo list',
    keys: [
      ['PgDn ]', 'next page'],
      ['PgUp [', 'previous page'],
      ['g G', 'first / last repo'],
      ['v', 'next verdict filter'],
      ['c', 'next category filter'],
      ['o', 'next owner filter'],
      ['r', 'next rule filter'],
      ['/', 'search names, paths, rules'],
      ['x', 'clear every filter'],
    ],
  },
  {
    where: 'Repo and finding',
    keys: [
      ['f', 'false-positive (with a note)'],
      ['a', 'accepted-risk (with a note)'],
      ['r', 'revoked: it still counts'],
      ['o', 'reopen'],
    ],
  },
];

/** The triage keys of the repo and finding screens. */
export const TRIAGE_KEYS: Record<string, TriageStatus> = { f: 'false-positive', a: 'accepted-risk', r: 'revoked', o: 'open' };
