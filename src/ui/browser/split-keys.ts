import type { Key } from 'ink';

// Keys typed faster than the app reads them (or sent by a script) reach Ink as one
// string: "jj\r" is one input, not j, j, Enter. Split such a burst back into keys,
// each with the Key flags it would have had on its own, so it can be handled as typed.

const NO_FLAGS: Partial<Key> = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
};

const SPECIAL: (keyof Key)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageDown', 'pageUp', 'home', 'end', 'escape', 'ctrl', 'meta', 'tab', 'backspace', 'delete', 'return'];

export function splitKeys(input: string, key: Key): [string, Key][] {
  const chars = [...input];
  if (chars.length <= 1 || SPECIAL.some((flag) => key[flag] === true)) return [[input, key]];
  return chars.map((char): [string, Key] => {
    const flags: Partial<Key> = { ...NO_FLAGS };
    if (char === '\r' || char === '\n') flags.return = true;
    else if (char === '\x7f' || char === '\b') flags.backspace = true;
    else if (char === '\t') flags.tab = true;
    else if (/[A-Z]/.test(char)) flags.shift = true;
    const special = flags.return || flags.backspace || flags.tab;
    return [special ? '' : char, { ...key, ...flags } as Key];
  });
}
