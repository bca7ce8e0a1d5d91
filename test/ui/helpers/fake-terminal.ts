import { EventEmitter } from 'node:events';

// A terminal-shaped stream for Ink to draw into (as ink-testing-library's is, but
// with a size and isTTY): what was written is kept, escape codes and all.

export class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  written = '';
  constructor(
    readonly columns = 80,
    readonly rows = 24,
  ) {
    super();
  }
  write(chunk: string): boolean {
    this.written += chunk;
    return true;
  }
  /** The text without escape codes (colours, cursor moves, line erases). */
  plain(): string {
    return this.written.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
  }
  asStream(): NodeJS.WriteStream {
    return this as unknown as NodeJS.WriteStream;
  }
}
