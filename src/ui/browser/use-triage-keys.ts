import type { RepoFinding } from '../../store/ui-queries.js';
import { useBrowser } from './browser-context.js';
import { TRIAGE_KEYS } from './key-help.js';

// The triage actions of the repo and finding screens: a key picks the decision,
// a prompt asks for the note, and the decision is written to the database at once
// (re-triaging every repo that holds the finding); the status line says what changed.

export function useTriageKeys(repoKey: string, finding: RepoFinding | undefined, afterDecision: () => void): (input: string) => boolean {
  const { source, ask, notify } = useBrowser();
  return (input) => {
    const status = TRIAGE_KEYS[input];
    if (!status || !finding) return false;
    if (status === finding.triage) {
      notify(`${finding.path}:${finding.line} is already ${status}`);
      return true;
    }
    ask({
      label: `note for ${status === 'open' ? 'reopening' : status}`,
      onSubmit: async (note) => {
        const retriaged = await source.decide(finding.fingerprint, status, note);
        const repo = await source.repo(repoKey);
        // What matters most comes first: the status line is cut at the terminal's width.
        notify(
          `${repo ? `${repo.name} is ${repo.verdict}: ` : ''}${finding.path}:${finding.line} marked ${status}` +
            ` (${retriaged} repo result${retriaged === 1 ? '' : 's'} re-triaged)`,
        );
        afterDecision();
      },
    });
    return true;
  };
}
