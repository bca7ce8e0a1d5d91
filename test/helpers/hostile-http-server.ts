// A hostile HTTP server for tests, on 127.0.0.1: for each request a test-chosen
// behaviour: pass it to an upstream server (the real git server of git-http-server.ts)
// unchanged or dripped a few bytes at a time, answer a status, never answer, answer
// headers and then nothing, or send bytes for ever. It records when each request came
// and how many body bytes each answer got out before the client went away.
//
// Like the other loopback servers it runs in the test process: drive it from a child
// process or from async code, never with spawnSync.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.js';

export type HostileBehaviour =
  /** Forwarded to the upstream server, answer unchanged. */
  | { kind: 'proxy' }
  /** Forwarded, and the answer's body sent `bytes` at a time every `everyMs` (each gap under an idle timeout, the whole far over). */
  | { kind: 'drip'; bytes: number; everyMs: number }
  /** This status, with a short text body (or `body`, with its content type). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string | Buffer; contentType?: string }
  /** Nothing at all: the request is read, no answer ever comes. */
  | { kind: 'stall' }
  /** Status line and headers (200), then no body byte ever. */
  | { kind: 'stall-body'; contentType?: string }
  /** 200, then `prefix` once and `chunk` again and again until the client hangs up. */
  | { kind: 'endless'; contentType?: string; prefix?: Buffer; chunk?: Buffer };

export interface HostileRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** performance.now() when it arrived. */
  at: number;
  /** Body bytes written to the client (so far, or until it hung up). */
  bytesSent: number;
}

export interface HostileServer {
  url: string;
  requests: HostileRequest[];
  /** Mutable: chooses the behaviour of each request as it comes. */
  behaviour: (method: string, path: string) => HostileBehaviour;
  close(): Promise<void>;
}

export function startHostileServer(options: { upstream?: string; behaviour: (method: string, path: string) => HostileBehaviour }): Promise<HostileServer> {
  const requests: HostileRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state: HostileServer = { url: '', requests, behaviour: options.behaviour, close: () => Promise.resolve() };

  function forward(req: IncomingMessage, res: ServerResponse, entry: HostileRequest, drip?: { bytes: number; everyMs: number }): void {
    if (!options.upstream) throw new Error('no upstream server to forward to');
    const upstream = httpRequest(new URL(req.url ?? '/', options.upstream), { method: req.method, headers: { ...req.headers, host: new URL(options.upstream).host } }, (up) => {
      const headers = { ...up.headers };
      delete headers['content-length'];
      res.writeHead(up.statusCode ?? 502, headers);
      if (!drip) {
        up.on('data', (chunk: Buffer) => {
          entry.bytesSent += chunk.length;
          res.write(chunk);
        });
        up.on('end', () => res.end());
        return;
      }
      // Held, then let out a few bytes at a time.
      const held: Buffer[] = [];
      let ended = false;
      up.on('data', (chunk: Buffer) => held.push(chunk));
      up.on('end', () => (ended = true));
      const tick = (): void => {
        if (res.destroyed) return;
        let pending = Buffer.concat(held.splice(0));
        if (pending.length > 0) {
          const now = pending.subarray(0, drip.bytes);
          pending = pending.subarray(drip.bytes);
          if (pending.length > 0) held.unshift(pending);
          entry.bytesSent += now.length;
          res.write(now);
        } else if (ended) {
          res.end();
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          tick();
        }, drip.everyMs);
        timers.add(timer);
      };
      tick();
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  function endless(res: ServerResponse, entry: HostileRequest, contentType: string, prefix: Buffer, chunk: Buffer): void {
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
    entry.bytesSent += prefix.length;
    res.write(prefix);
    const pump = (): void => {
      while (!res.destroyed) {
        entry.bytesSent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  const server = createServer((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const entry: HostileRequest = { method: req.method ?? 'GET', path: q === -1 ? raw : raw.slice(0, q), at: performance.now(), bytesSent: 0 };
    requests.push(entry);
    const behaviour = state.behaviour(entry.method, entry.path);
    switch (behaviour.kind) {
      case 'proxy':
        forward(req, res, entry);
        return;
      case 'drip':
        forward(req, res, entry, behaviour);
        return;
      case 'status':
        req.resume();
        res.writeHead(behaviour.status, { 'content-type': behaviour.contentType ?? 'text/plain', ...behaviour.headers });
        res.end(behaviour.body ?? `${behaviour.status}\n`);
        return;
      case 'stall':
        req.resume();
        return;
      case 'stall-body':
        req.resume();
        res.writeHead(200, { 'content-type': behaviour.contentType ?? 'application/json' });
        res.flushHeaders();
        return;
      case 'endless':
        req.resume();
        endless(res, entry, behaviour.contentType ?? 'application/octet-stream', behaviour.prefix ?? Buffer.alloc(0), behaviour.chunk ?? Buffer.alloc(64 * 1024, 0x61));
        return;
    }
  });
  return listenOnLoopback(server, () => {
    for (const timer of timers) clearTimeout(timer);
  }).then((listening) => {
    state.url = listening.url;
    state.close = listening.close;
    return state;
  });
}
