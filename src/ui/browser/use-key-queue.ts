import { useInput, type Key } from 'ink';
import { useLayoutEffect, useRef, useState } from 'react';
import { splitKeys } from './split-keys.js';

// Keys wait in a queue and are handled one per render. React draws after a key is
// handled, not while; a key that arrives before the screen has drawn the one before
// (j then Enter, typed fast or sent in one burst) must reach the screen as that key
// left it, not as it was.

export function useKeyQueue(handle: (input: string, key: Key) => void): void {
  const queued = useRef<[string, Key][]>([]);
  const awaitingRender = useRef(false);
  const [turn, setTurn] = useState(0);
  const handleNext = () => {
    awaitingRender.current = false;
    const next = queued.current.shift();
    if (!next) return;
    handle(...next);
    awaitingRender.current = true;
    setTurn((n) => n + 1);
  };
  // Runs after each render this queue asked for, with that render's handlers.
  useLayoutEffect(() => {
    if (awaitingRender.current) handleNext();
  }, [turn]);
  useInput((input, key) => {
    queued.current.push(...splitKeys(input, key));
    if (!awaitingRender.current) handleNext();
  });
}
