import http from 'node:http';
import https from 'node:https';
import { inflateSync } from 'node:zlib';
import { DEFAULT_MAX_OBJECT_BYTES } from './git-object-store.js';
import { deltaDataStart, deltaHeader, OFS_DELTA, packEntryHeader, REF_DELTA } from './pack-format.js';

// The HTTP client isomorphic-git clones through. Written here (rather than its
// bundled one) for what an org-wide run needs: an idle timeout so a stalled server
// fails the repo instead of hanging the scan, keep-alive agents shared by all
// clones, and errors that say which URL and what went wrong.
//
// A git server is as untrusted as the repos it serves. isomorphic-git holds a whole
// response in memory, so one that never stops sending is cut off at a byte cap; and
// one that drips a byte just inside the idle timeout, for ever, at a deadline. It also
// inflates every object of a pack whole, in JavaScript: a 1 MB pack can hold an object
// of 1 GB of zeros (or one that says 100 bytes and inflates to 1 GB), so each pack is
// checked before isomorphic-git sees its end (see checkPack).

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
  /**
   * The last transport failure (timeout, byte cap, connection error) of a request whose
   * URL starts with `urlPrefix`, forgotten once taken. isomorphic-git reads some answers
   * (the ref advertisement) treating a failed body as a short one, so what it throws
   * then ("Could not find refs/heads/main") hides the real reason; this gives it back.
   */
  takeFailure?(urlPrefix: string): Error | undefined;
}

export interface GitHttpClientOptions {
  /** Most bytes one response may hold (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Longest one request may take, answer included, however steadily bytes come (default DEFAULT_DEADLINE_MS). */
  deadlineMs?: number;
  /** A pack holding an object larger than this is refused (default DEFAULT_MAX_OBJECT_BYTES, 128 MiB; GitHub refuses files over 100 MB). */
  maxObjectBytes?: number;
}

/** 1 GiB: far more than a shallow fetch of a repo one would open up; isomorphic-git holds it all in memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;
/** 30 minutes: a 1 GiB pack at 0.6 MB/s. */
export const DEFAULT_DEADLINE_MS = 30 * 60 * 1000;

/** A response cut off at the byte cap: retrying cannot help (see shallow-clone's isPermanent). */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
  readonly code = 'ResponseTooLarge';
}

/** A pack refused before it was inflated (an object too large, or one inflating past its size): the same pack would come again. */
export class PackRefusedError extends Error {
  override name = 'PackRefusedError';
  readonly code = 'PackRefused';
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * A client whose connections fail after `idleTimeoutMs` without a byte either way, whose
 * requests fail past a deadline, and whose responses fail past a byte cap.
 */
export function createGitHttpClient(idleTimeoutMs: number, options: GitHttpClientOptions = {}): GitHttpClient {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const failures = new Map<string, Error>();
  const failed = (url: string, error: Error): Error => {
    failures.delete(url);
    failures.set(url, error);
    if (failures.size > 1000) failures.delete(failures.keys().next().value!);
    return error;
  };
  return {
    takeFailure(urlPrefix: string): Error | undefined {
      let found: Error | undefined;
      for (const [url, error] of failures) {
        if (!url.startsWith(urlPrefix)) continue;
        found = error;
        failures.delete(url);
      }
      return found;
    },
    async request({ url, method = 'GET', headers = {}, body }) {
      const payload = await collect(body);
      const target = new URL(url);
      const transport = target.protocol === 'https:' ? https : http;
      return new Promise<GitHttpResponse>((resolve, reject) => {
        let response: http.IncomingMessage | undefined;
        const deadline = setTimeout(() => {
          const error = failed(url, new Error(`timed out: ${target.host} was still answering after ${deadlineMs / 1000}s (the limit for one request)`));
          if (response) response.destroy(error);
          req.destroy(error);
        }, deadlineMs);
        deadline.unref();
        const req = transport.request(
          target,
          {
            method,
            headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
            agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
          },
          (res) => {
            response = res;
            res.once('close', () => clearTimeout(deadline));
            res.setTimeout(idleTimeoutMs, () => res.destroy(failed(url, new Error(`timed out: no data for ${idleTimeoutMs / 1000}s from ${target.host}`))));
            res.on('error', (error) => {
              if (!failures.has(url)) failed(url, error);
            });
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
              body: capped(res, maxBytes, target.host, (error) => failed(url, error), method === 'POST' && target.pathname.endsWith('/git-upload-pack') ? maxObjectBytes : undefined),
            });
          },
        );
        req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`timed out: no answer for ${idleTimeoutMs / 1000}s from ${target.host}`)));
        req.on('error', (error) => {
          clearTimeout(deadline);
          reject(error);
        });
        req.end(payload);
      });
    },
  };
}

/**
 * The response's bytes, failing (and closing the connection) once more than `maxBytes`
 * have come. With `maxObjectBytes` (an upload-pack answer), the pack in it is checked
 * once it has all come, before the stream ends: isomorphic-git inflates a pack only
 * after its last byte, so a refused one is never inflated.
 */
async function* capped(res: http.IncomingMessage, maxBytes: number, host: string, failed: (error: Error) => Error, maxObjectBytes?: number): AsyncIterableIterator<Uint8Array> {
  let received = 0;
  const held: Uint8Array[] = [];
  for await (const chunk of res as AsyncIterable<Uint8Array>) {
    received += chunk.length;
    if (received > maxBytes) {
      const error = failed(new ResponseTooLargeError(`${host} sent more than ${mib(maxBytes)} in one response: too large to fetch`));
      res.destroy(error);
      throw error;
    }
    if (maxObjectBytes !== undefined) held.push(chunk);
    yield chunk;
  }
  if (maxObjectBytes !== undefined) {
    const refused = checkPack(Buffer.concat(held), maxObjectBytes);
    if (refused !== undefined) throw failed(new PackRefusedError(`the pack from ${host} ${refused}`));
  }
}

/** The pack in an upload-pack answer: side-band channel 1, or the raw pack after the pkt-lines. Undefined when there is none. */
function packIn(answer: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 4 <= answer.length) {
    const head = answer.toString('latin1', at, at + 4);
    if (head === 'PACK' && parts.length === 0) return answer.subarray(at); // no side-band
    if (!/^[0-9a-f]{4}$/i.test(head)) return parts.length > 0 ? Buffer.concat(parts) : undefined;
    const length = parseInt(head, 16);
    if (length < 4) {
      at += 4; // flush, delimiter, end of response
      continue;
    }
    const payload = answer.subarray(at + 4, Math.min(at + length, answer.length));
    at += length;
    // Channel 1 is pack data; 2 progress, 3 an error; text lines (NAK, ACK, shallow, packfile) start with a letter.
    if (payload[0] === 1) parts.push(payload.subarray(1));
  }
  return parts.length > 0 ? Buffer.concat(parts) : undefined;
}

/**
 * Why a pack must not be inflated, or undefined: an object (or a delta's result) larger
 * than `maxObjectBytes`, or an object whose zlib data inflates past the size its header
 * gives (a zlib bomb). Each object is inflated here with native zlib, never past the size
 * it claims. Damage of other kinds is left to isomorphic-git to report.
 */
export function checkPack(answer: Buffer, maxObjectBytes: number): string | undefined {
  const pack = packIn(answer);
  if (pack === undefined || pack.length < 12 || pack.toString('latin1', 0, 4) !== 'PACK') return undefined;
  const count = pack.readUInt32BE(8);
  let at = 12;
  for (let i = 0; i < count && at < pack.length; i++) {
    const header = packEntryHeader(pack, at);
    const { code: type, size } = header;
    at = header.next;
    if (type === OFS_DELTA || type === REF_DELTA) at += deltaDataStart(type, pack.subarray(at));
    if (size > maxObjectBytes) return `holds an object of ${size} bytes, more than keepopen fetches (${mib(maxObjectBytes)})`;
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateSync(pack.subarray(at), { info: true, maxOutputLength: Math.max(1, size) }) as unknown as typeof inflated;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return `holds an object that inflates past the ${size} bytes it declares (a zlib bomb?)`;
      return undefined;
    }
    if (type === OFS_DELTA || type === REF_DELTA) {
      // A delta's own header: the base's size, then the size of what it makes.
      const target = deltaHeader(inflated.buffer).targetSize;
      if (target > maxObjectBytes) return `holds a delta making an object of ${target} bytes, more than keepopen fetches (${mib(maxObjectBytes)})`;
    }
    at += inflated.engine.bytesWritten;
  }
  return undefined;
}
