import http from 'node:http';
import https from 'node:https';

// The HTTP client isomorphic-git clones through. Written here (rather than its
// bundled one) for what an org-wide run needs: an idle timeout so a stalled server
// fails the repo instead of hanging the scan, keep-alive agents shared by all
// clones, and errors that say which URL and what went wrong.

interface GitHttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

interface GitHttpResponse {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: AsyncIterableIterator<Uint8Array>;
  statusCode: number;
  statusMessage: string;
}

export interface GitHttpClient {
  request(request: GitHttpRequest): Promise<GitHttpResponse>;
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A client whose connections fail after `idleTimeoutMs` without a byte either way. */
export function createGitHttpClient(idleTimeoutMs: number): GitHttpClient {
  return {
    async request({ url, method = 'GET', headers = {}, body }) {
      const payload = await collect(body);
      const target = new URL(url);
      const transport = target.protocol === 'https:' ? https : http;
      return new Promise<GitHttpResponse>((resolve, reject) => {
        const req = transport.request(
          target,
          {
            method,
            headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
            agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
          },
          (res) => {
            res.setTimeout(idleTimeoutMs, () => res.destroy(new Error(`timed out: no data for ${idleTimeoutMs / 1000}s from ${target.host}`)));
            const flat: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({
              url,
              method,
              headers: flat,
              statusCode: res.statusCode ?? 0,
              statusMessage: res.statusMessage ?? '',
              body: res[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>,
            });
          },
        );
        req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`timed out: no answer for ${idleTimeoutMs / 1000}s from ${target.host}`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}
