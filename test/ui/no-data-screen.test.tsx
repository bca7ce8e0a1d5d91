import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { NoDataScreen } from '../../src/ui/browser/no-data-screen.js';
import { waitFor } from './helpers/wait-for.js';

describe('no-data screen', () => {
  it('says a missing database is missing and how to make one', () => {
    const ui = render(<NoDataScreen db="./keepopen.db" reason="missing" />);
    const screen = ui.lastFrame()!;
    expect(screen).toContain('There is no keepopen database at ./keepopen.db.');
    expect(screen).toContain('keepopen scan ~/mirrors/my-org --db ./keepopen.db');
    expect(screen).toContain('Press q to quit.');
    ui.unmount();
  });

  it('says an empty database has no results yet, and q quits', async () => {
    const ui = render(<NoDataScreen db="empty.db" reason="empty" />);
    expect(ui.lastFrame()).toContain('The database empty.db has no scan results yet.');
    expect(ui.stdin.listenerCount('readable')).toBe(1);
    ui.stdin.write('q');
    // Ink's exit() unmounts the app, which stops reading the terminal.
    await waitFor(() => ui.stdin.listenerCount('readable') === 0, () => ui.lastFrame() ?? '');
  });
});
