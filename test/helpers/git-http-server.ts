// A real smart-HTTP git server for tests: a node:http server on 127.0.0.1 that runs
// `git http-backend` (CGI) for every request, serving the bare repos under `root`.
// Clone URLs are `${server.url}/${repoPath}`, e.g. http://127.0.0.1:PORT/org/name.git
// for the bare repo at root/org/name.git.
//
// Faults (see GitServerFaults) can be changed at any time through `server.faults`.
//
// Note: the server runs in the test process, so the client must not block the event
// loop: spawn git (or the CLI) asynchronously, never with execFileSync/spawnSync.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { listenOnLoopback } from './loopback-server.js';

export interface GitServerFaults {
  /** Repo paths (e.g. 'org/broken.git') answered with this HTTP status for every request. */
  status?: Record<string, number>;
  /** Repo paths whose upload-pack response body is corrupted (some bytes in the middle of the pack flipped) so the client sees a corrupt pack. */
  corruptPack?: string[];
  /** Repo paths whose upload-pack response is cut off (connection destroyed) after N bytes. */
  resetAfterBytes?: Record<string, number>;
  /** Repo paths that wait this many ms before answering anything (to test client timeouts). */
  delayMs?: Record<string, number>;
}

export interface GitServerRequest {
  method: string;
  /** The request path without the query string, e.g. /org/name.git/info/refs. */
  path: string;
  /** The status sent; 0 while no answer has been sent (or if the client went away before one was). */
  status: number;
}

export interface GitServer {
  /** e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  /** The folder the bare repos are served from (absolute). */
  root: string;
  /** Every request, in arrival order. */
  requests: GitServerRequest[];
  /** Mutable: tests may change the faults between requests. */
  faults: GitServerFaults;
  close(): Promise<void>;
}

/** Config given to http-backend (and the upload-pack it runs) on the command-line scope. */
const BACKEND_CONFIG: [string, string][] = [
  ['uploadpack.allowFilter', 'true'],
  ['uploadpack.allowAnySHA1InWant', 'true'],
  // The repos are made by the test user, but be explicit: never refuse a repo for its owner.
  ['safe.directory', '*'],
];

/** Request headers that are not passed to the CGI as HTTP_* variables. */
const HIDDEN_HEADERS = new Set(['authorization', 'proxy-authorization', 'content-type', 'content-length', 'connection']);

function normaliseRepoKey(key: string): string {
  return '/' + key.replace(/^\/+|\/+$/g, '');
}

/** True when `path` (URL path) is inside the repo `key` (e.g. 'org/name.git'). */
function inRepo(path: string, key: string): boolean {
  const k = normaliseRepoKey(key);
  return path === k || path.startsWith(k + '/');
}

function lookup<T>(path: string, map: Record<string, T> | undefined): T | undefined {
  if (!map) return undefined;
  for (const [key, value] of Object.entries(map)) if (inRepo(path, key)) return value;
  return undefined;
}

function isUploadPackPost(method: string, path: string): boolean {
  return method === 'POST' && path.endsWith('/git-upload-pack');
}

/** Where the CGI headers end: the index of the body start, or -1 if not yet complete. */
function cgiHeaderEnd(buf: Buffer): { headerEnd: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return undefined;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  return { headerEnd: lf, bodyStart: lf + 2 };
}

function parseCgiHeaders(text: string): { status: number; headers: OutgoingHttpHeaders } {
  let status = 200;
  const headers: OutgoingHttpHeaders = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const code = Number.parseInt(value, 10);
      if (Number.isInteger(code) && code >= 100 && code <= 999) status = code;
      continue;
    }
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = [...(Array.isArray(existing) ? existing : [String(existing)]), value];
  }
  return { status, headers };
}

/**
 * Byte ranges of `buf` (an upload-pack response) that hold packfile data: side-band
 * channel 1 payloads, or the raw pack when no side-band was negotiated.
 */
function packRanges(buf: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  let pos = 0;
  while (pos + 4 <= buf.length) {
    const head = buf.toString('latin1', pos, pos + 4);
    if (!/^[0-9a-f]{4}$/i.test(head)) {
      if (head === 'PACK') ranges.push([pos, buf.length]);
      break;
    }
    const len = Number.parseInt(head, 16);
    if (len < 4) {
      // flush-pkt (0000), delim-pkt (0001), response-end-pkt (0002)
      pos += 4;
      continue;
    }
    const end = Math.min(pos + len, buf.length);
    if (end > pos + 5 && buf[pos + 4] === 1) ranges.push([pos + 5, end]);
    pos = end;
  }
  return ranges;
}

/** Flips a few bytes in the middle of the pack inside `buf` (in place); false if there is no pack. */
function corruptPackInPlace(buf: Buffer): boolean {
  const ranges = packRanges(buf);
  const total = ranges.reduce((sum, [start, end]) => sum + (end - start), 0);
  if (total === 0) return false;
  // Keep clear of the 12-byte header and the 20-byte trailer when there is room, so the
  // damage lands in object data (the trailing SHA-1 then no longer matches either).
  const first = total > 40 ? 12 + Math.floor((total - 32) / 2) : Math.floor(total / 2);
  const count = Math.min(8, total - first);
  let flipped = 0;
  let offset = 0;
  for (const [start, end] of ranges) {
    for (let at = start; at < end && flipped < count; at++, offset++) {
      if (offset >= first) {
        buf[at] = buf[at]! ^ 0xff;
        flipped++;
      }
    }
    if (flipped >= count) break;
  }
  return flipped > 0;
}

export function startGitServer(root: string, faults: GitServerFaults = {}): Promise<GitServer> {
  const projectRoot = resolve(root);
  const requests: GitServerRequest[] = [];
  const children = new Set<ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  let port = 0;

  const state: GitServer = {
    url: '',
    root: projectRoot,
    requests,
    faults,
    close: () => Promise.resolve(),
  };

  function sendPlain(res: ServerResponse, entry: GitServerRequest, status: number): void {
    entry.status = status;
    const headers: OutgoingHttpHeaders = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' };
    if (status === 401) headers['WWW-Authenticate'] = 'Basic realm="keepopen test git server"';
    res.writeHead(status, headers);
    res.end(`${status} ${STATUS_CODES[status] ?? 'Error'}\n`);
  }

  function runBackend(req: IncomingMessage, res: ServerResponse, entry: GitServerRequest, path: string, query: string): void {
    const method = req.method ?? 'GET';
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? projectRoot,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_COUNT: String(BACKEND_CONFIG.length),
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_SOFTWARE: 'keepopen-test-git-server',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      SERVER_NAME: '127.0.0.1',
      SERVER_PORT: String(port),
      REQUEST_METHOD: method,
      SCRIPT_NAME: '',
      PATH_INFO: decodeURIComponent(path),
      QUERY_STRING: query,
      REQUEST_URI: req.url ?? path,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    };
    BACKEND_CONFIG.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    const contentType = req.headers['content-type'];
    if (contentType) env.CONTENT_TYPE = contentType;
    const contentLength = req.headers['content-length'];
    if (contentLength !== undefined && /^\d+$/.test(contentLength)) env.CONTENT_LENGTH = contentLength;
    // Every other header as HTTP_*: this passes Content-Encoding (http-backend inflates
    // gzip request bodies itself when HTTP_CONTENT_ENCODING is gzip or x-gzip) and
    // Git-Protocol (HTTP_GIT_PROTOCOL, which selects protocol v2).
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HIDDEN_HEADERS.has(name)) continue;
      env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = Array.isArray(value) ? value.join(', ') : value;
    }

    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64) stderr.push(chunk);
    });
    child.stdin.on('error', () => {
      // EPIPE when http-backend exits without reading the whole body: its answer says why.
    });
    req.pipe(child.stdin);

    const corrupt = isUploadPackPost(method, path) && (state.faults.corruptPack ?? []).some((key) => inRepo(path, key));
    const resetAfter = isUploadPackPost(method, path) ? lookup(path, state.faults.resetAfterBytes) : undefined;

    let headBuf: Buffer = Buffer.alloc(0);
    let started = false;
    let finished = false;
    let sent = 0;
    const held: Buffer[] = [];

    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    res.on('close', () => {
      if (!finished) kill();
    });

    const cut = (chunk: Buffer): void => {
      finished = true;
      child.stdout.pause();
      kill();
      const socket = res.socket;
      res.write(chunk, () => socket?.destroy());
      if (chunk.length === 0) setImmediate(() => socket?.destroy());
    };

    const writeBody = (chunk: Buffer): void => {
      if (finished || chunk.length === 0) return;
      if (corrupt) {
        held.push(chunk);
        return;
      }
      if (resetAfter !== undefined) {
        const room = Math.max(0, resetAfter - sent);
        if (chunk.length >= room) {
          cut(chunk.subarray(0, room));
          return;
        }
      }
      sent += chunk.length;
      if (!res.write(chunk)) {
        child.stdout.pause();
        res.once('drain', () => child.stdout.resume());
      }
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (finished) return;
      if (started) {
        writeBody(chunk);
        return;
      }
      headBuf = Buffer.concat([headBuf, chunk]);
      const end = cgiHeaderEnd(headBuf);
      if (!end) return;
      const { status, headers } = parseCgiHeaders(headBuf.toString('latin1', 0, end.headerEnd));
      started = true;
      entry.status = status;
      if (corrupt) delete headers['Content-Length'];
      res.writeHead(status, headers);
      if (resetAfter !== undefined && resetAfter <= 0) {
        cut(Buffer.alloc(0));
        return;
      }
      writeBody(headBuf.subarray(end.bodyStart));
    });

    const done = (): void => {
      children.delete(child);
      if (finished) return;
      finished = true;
      if (!started) {
        if (!res.headersSent && !res.destroyed) sendPlain(res, entry, 500);
        return;
      }
      if (corrupt) {
        const body = Buffer.concat(held);
        corruptPackInPlace(body);
        res.end(body);
        return;
      }
      res.end();
    };
    child.on('error', done);
    child.on('close', done);
  }

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = q === -1 ? '' : rawUrl.slice(q + 1);
    const entry: GitServerRequest = { method, path, status: 0 };
    requests.push(entry);

    const answer = (): void => {
      if (res.destroyed || res.writableEnded) return;
      try {
        const status = lookup(path, state.faults.status);
        if (status !== undefined) {
          req.resume();
          sendPlain(res, entry, status);
          return;
        }
        runBackend(req, res, entry, path, query);
      } catch {
        if (!res.headersSent) sendPlain(res, entry, 500);
        else res.destroy();
      }
    };

    const delay = lookup(path, state.faults.delayMs);
    if (delay !== undefined && delay > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, delay);
      timers.add(timer);
      res.on('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
      return;
    }
    answer();
  });
  return listenOnLoopback(server, () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const child of children) child.kill('SIGKILL');
  }).then((listening) => {
    port = listening.port;
    state.url = listening.url;
    state.close = listening.close;
    return state;
  });
}
