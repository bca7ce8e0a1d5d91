// Waits until `check` passes (screens load from the database asynchronously),
// failing with the last screen when it never does.

export async function waitFor(check: () => boolean, describe: () => string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; the screen was:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
