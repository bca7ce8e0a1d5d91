import { Text, useApp, type Key } from 'ink';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useTheme } from '../theme.js';
import { BrowserContext, type Browser, type Prompt, type ScreenKeys } from './browser-context.js';
import type { BrowserSource } from './browser-source.js';
import { DashboardScreen } from './dashboard-screen.js';
import { FindingScreen } from './finding-screen.js';
import { FRAME_LINES } from './frame.js';
import { HelpScreen } from './help-screen.js';
import { RepoListScreen } from './repo-list-screen.js';
import { RepoScreen } from './repo-screen.js';
import { useKeyQueue } from './use-key-queue.js';
import { useTerminalSize } from './use-terminal-size.js';
import type { View } from './views.js';

// The triage browser: a stack of screens (dashboard → repos → repo → finding), the
// keys that work everywhere (q, ?, Esc, e), the help, and the one-line prompt that
// takes a search or a triage note. Screens read and write through the source.

export function BrowserApp({ source, initial }: { source: BrowserSource; initial?: View }) {
  const theme = useTheme();
  const { exit } = useApp();
  const size = useTerminalSize();
  const [stack, setStack] = useState<View[]>([initial ?? { screen: 'dashboard' }]);
  const [help, setHelp] = useState(false);
  const [prompt, setPrompt] = useState<(Prompt & { value: string }) | undefined>(undefined);
  const [status, setStatus] = useState('');
  // Who has the keys (a prompt, the help, the screen) is read from refs, which the key
  // handler always sees current, and set at once when a key changes it.
  const promptRef = useRef<(Prompt & { value: string }) | undefined>(undefined);
  const helpRef = useRef(false);
  const screenKeys = useRef<ScreenKeys | undefined>(undefined);

  const open = useCallback((view: View) => {
    setStatus('');
    setStack((s) => [...s, view]);
  }, []);
  const update = useCallback((view: View) => setStack((s) => [...s.slice(0, -1), view]), []);
  const back = useCallback(() => {
    setStatus('');
    setStack((s) => (s.length > 1 ? s.slice(0, -1) : s));
  }, []);
  const showPrompt = (next: (Prompt & { value: string }) | undefined) => {
    promptRef.current = next;
    setPrompt(next);
  };
  const ask = useCallback((p: Prompt) => showPrompt({ ...p, value: p.initial ?? '' }), []);
  const showHelp = (on: boolean) => {
    helpRef.current = on;
    setHelp(on);
  };

  const promptKey = (current: Prompt & { value: string }, input: string, key: Key) => {
    if (key.return) {
      showPrompt(undefined);
      Promise.resolve(current.onSubmit(current.value)).catch((error: unknown) => {
        setStatus(`failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    } else if (key.escape) {
      showPrompt(undefined);
      setStatus('cancelled');
    } else if (key.backspace || key.delete) showPrompt({ ...current, value: current.value.slice(0, -1) });
    else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) {
      showPrompt({ ...current, value: current.value + input.replace(/[\r\n\t]/g, ' ') });
    }
  };

  const exportShortlist = () => {
    setStatus('writing the keep-open shortlist…');
    source.exportShortlist().then(
      ({ path, repos }) => setStatus(`wrote the keep-open shortlist (${repos} repo${repos === 1 ? '' : 's'}) to ${path}`),
      (error: unknown) => setStatus(`export failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  /** Where a key goes: the prompt has every key while open; then the global keys; then the screen's. */
  const dispatch = (input: string, key: Key) => {
    if (promptRef.current) promptKey(promptRef.current, input, key);
    else if (input === 'q') exit();
    else if (input === '?') showHelp(!helpRef.current);
    else if (helpRef.current) {
      if (key.escape) showHelp(false);
    } else if (key.escape || key.leftArrow || input === 'h') back();
    else if (input === 'e') exportShortlist();
    else screenKeys.current?.(input, key);
  };

  useKeyQueue(dispatch);

  const top = stack[stack.length - 1]!;
  const browser: Browser = useMemo(
    () => ({
      source, size, bodyRows: Math.max(3, size.rows - 1 - FRAME_LINES), screenKeys,
      open, update, back, notify: setStatus, ask, prompt, status,
    }),
    [source, size, prompt, status, open, update, back, ask],
  );

  let screen;
  if (help) screen = <HelpScreen />;
  else if (top.screen === 'dashboard') screen = <DashboardScreen />;
  else if (top.screen === 'repos') screen = <RepoListScreen view={top} />;
  else if (top.screen === 'repo') screen = <RepoScreen key={top.key} view={top} />;
  else if (top.screen === 'finding') screen = <FindingScreen key={`${top.key}:${top.fingerprint}:${top.path}:${top.line}`} view={top} />;
  else screen = <Text color={theme.verdict('error')}>unknown screen</Text>;
  return <BrowserContext.Provider value={browser}>{screen}</BrowserContext.Provider>;
}
