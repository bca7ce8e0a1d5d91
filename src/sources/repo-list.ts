import { remoteKey, type RepoTarget } from '../scan/repo-target.js';

// `--repos FILE`: one `owner/name` or http(s) clone URL a line. Blank lines and
// `#` comments are ignored; a bad line is reported with its number and the rest go on.

export interface RepoListResult {
  targets: RepoTarget[];
  /** One message per bad line: "FILE:LINE: ..." */
  problems: string[];
}

const OWNER_NAME = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/;

function targetFromUrl(url: URL): RepoTarget {
  const cloneUrl = url.toString();
  const segments = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '').split('/').filter(Boolean);
  return { key: remoteKey(cloneUrl), name: segments.slice(-2).join('/'), source: cloneUrl, kind: 'git-remote', cloneUrl };
}

/** Parses a repo list. `serverUrl` resolves `owner/name` lines (GITHUB_SERVER_URL, default https://github.com). */
export function parseRepoList(text: string, fileName: string, serverUrl: string): RepoListResult {
  const targets: RepoTarget[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const server = serverUrl.replace(/\/+$/, '');
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const where = `${fileName}:${index + 1}`;
    let target: RepoTarget | undefined;
    const ownerName = OWNER_NAME.exec(line);
    if (ownerName) {
      target = targetFromUrl(new URL(`${server}/${ownerName[1]}/${ownerName[2]!.replace(/\.git$/, '')}.git`));
    } else if (/^https?:\/\//i.test(line)) {
      try {
        const url = new URL(line);
        if (url.username || url.password) {
          problems.push(`${where}: clone URLs with credentials are refused (they would be stored); use GITHUB_TOKEN instead`);
          return;
        }
        if (url.pathname.replace(/\/+$/, '').split('/').filter(Boolean).length < 1) throw new Error('no repository path');
        target = targetFromUrl(url);
      } catch {
        problems.push(`${where}: "${line}" is not a valid URL; give owner/name or an https clone URL`);
        return;
      }
    } else if (/^(?:git@|ssh:\/\/)/.test(line)) {
      problems.push(`${where}: "${line}" is an SSH URL; give owner/name or the https clone URL`);
      return;
    } else {
      problems.push(`${where}: "${line}" is not owner/name or an https clone URL`);
      return;
    }
    if (!seen.has(target.key)) {
      seen.add(target.key);
      targets.push(target);
    }
  });
  return { targets, problems };
}
