import * as fs from 'node:fs';
import git from 'isomorphic-git';
import type { GitHttpClient } from './git-http-client.js';

// The cheapest answer to "has this repo changed?": the commit HEAD points at, from
// the server's ref advertisement (one GET, no pack) or the local git directory.

export async function remoteHeadCommit(url: string, http: GitHttpClient, token?: string): Promise<string | undefined> {
  const refs = await git.listServerRefs({
    http,
    url,
    protocolVersion: 1,
    symrefs: true,
    ...(token ? { onAuth: () => ({ username: 'x-access-token', password: token }) } : {}),
  });
  return refs.find((r) => r.ref === 'HEAD')?.oid;
}

export async function localHeadCommit(gitdir: string): Promise<string | undefined> {
  return git.resolveRef({ fs, gitdir, ref: 'HEAD' }).catch(() => undefined);
}
