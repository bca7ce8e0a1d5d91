/**
 * A problem with what the user asked for (a missing path, a bad option, a broken
 * rule file). The CLI prints its message as one line and exits 2, with no stack trace.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
