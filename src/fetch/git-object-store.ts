import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, fstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { deltaDataStart, deltaHeader, OFS_DELTA, packEntryHeader, REF_DELTA } from './pack-format.js';

// Reading git objects straight from a repo's packfiles and loose objects, with
// Node's native zlib and a cache of delta bases. isomorphic-git fetches and
// resolves refs; for a history scan, which reads every unique blob, its
// pure-JavaScript inflate and uncached delta chains cost more than the scan itself
// (1.7 MB/s of unique blobs on a generated history). The formats are git's
// documented ones: pack index v2, pack entries with OFS/REF deltas, and loose
// objects as zlib("type size\0body").

export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface GitObject {
  type: GitObjectType;
  data: Buffer;
}

const TYPE_BY_CODE: Record<number, GitObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
/** Resolved delta bases kept for reuse: deep delta chains are read oldest-first, so bases repeat. */
const BASE_CACHE_BYTES = 48 * 1024 * 1024;
/** Packs up to this size are read into memory once (one read instead of one per object); larger ones are read per entry. */
const IN_MEMORY_PACK_BYTES = 128 * 1024 * 1024;
/**
 * No object is ever made larger than this in memory (readers list bigger blobs as too large
 * before reading them; this bounds what a hostile repo can make us allocate otherwise: a tree,
 * a delta base, an object whose header lies about its size, a zlib bomb).
 */
export const DEFAULT_MAX_OBJECT_BYTES = 128 * 1024 * 1024;
const MAX_DELTA_DEPTH = 4095;

/** zlib, never producing more than `limit` bytes: a bomb or a lying header is an error, not an allocation. */
function inflateAtMost(data: Buffer, limit: number, what: string): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: Math.max(1, limit) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new GitObjectFormatError(`${what} inflates to more than ${limit} bytes (its header says less, or it is larger than keepopen reads)`);
    throw new GitObjectFormatError(`${what} is damaged (${(error as Error).message})`);
  }
}

export class GitObjectFormatError extends Error {
  override name = 'GitObjectFormatError';
}

/** One pack: its index (object ids, offsets) and an open file. */
class Pack {
  private readonly fd: number;
  private readonly size: number;
  private readonly count: number;
  private readonly fanout: Uint32Array;
  private readonly ids: Buffer;
  private readonly offsets: Float64Array;
  /** Offsets in ascending order: an entry ends where the next begins. */
  private readonly sortedOffsets: Float64Array;

  constructor(readonly packPath: string, idxPath: string, private readonly maxEntryBytes: number) {
    const idx = readFileSync(idxPath);
    if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) throw new GitObjectFormatError(`${idxPath}: not a version 2 pack index`);
    this.fanout = new Uint32Array(256);
    for (let i = 0; i < 256; i++) this.fanout[i] = idx.readUInt32BE(8 + i * 4);
    this.count = this.fanout[255]!;
    const idsStart = 8 + 256 * 4;
    // A hostile or damaged index could claim billions of objects: it must hold what it claims.
    if (idx.length < idsStart + this.count * 28 + 40) throw new GitObjectFormatError(`${idxPath}: the index claims ${this.count} objects but is only ${idx.length} bytes`);
    this.ids = idx.subarray(idsStart, idsStart + this.count * 20);
    const offsetsStart = idsStart + this.count * 20 + this.count * 4;
    const largeStart = offsetsStart + this.count * 4;
    this.offsets = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const small = idx.readUInt32BE(offsetsStart + i * 4);
      this.offsets[i] = small & 0x80000000 ? Number(idx.readBigUInt64BE(largeStart + (small & 0x7fffffff) * 8)) : small;
    }
    this.sortedOffsets = Float64Array.from(this.offsets).sort();
    this.fd = openSync(packPath, 'r');
    this.size = fstatSync(this.fd).size;
    if (this.size <= IN_MEMORY_PACK_BYTES) this.whole = readFileSync(packPath);
  }

  /** The whole pack, when it is small enough to hold. */
  private readonly whole: Buffer | undefined;

  close(): void {
    closeSync(this.fd);
  }

  /** The entry's offset in this pack, or -1. */
  offsetOf(id: Buffer): number {
    let lo = id[0] === 0 ? 0 : this.fanout[id[0]! - 1]!;
    let hi = this.fanout[id[0]!]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const order = this.ids.compare(id, 0, 20, mid * 20, mid * 20 + 20);
      if (order === 0) return this.offsets[mid]!;
      if (order < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Where the entry at `offset` ends (the next entry, or the trailing checksum). */
  private endOf(offset: number): number {
    let lo = 0;
    let hi = this.sortedOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sortedOffsets[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.sortedOffsets.length ? this.sortedOffsets[lo]! : this.size - 20;
  }

  /** The entry's header and the first bytes after it: enough to tell its size. */
  readEntryHead(offset: number): { code: number; size: number; body: Buffer } {
    return this.readEntry(offset, 128);
  }

  /** The raw entry: its type code, its size, and what follows the header (delta base reference, then zlib data). */
  readEntry(offset: number, limit = Infinity): { code: number; size: number; body: Buffer } {
    const end = Math.min(this.endOf(offset), offset + limit);
    if (end - offset > this.maxEntryBytes) throw new GitObjectFormatError(`${this.packPath}: the entry at ${offset} is ${end - offset} bytes compressed, more than keepopen reads`);
    if (end <= offset) throw new GitObjectFormatError(`${this.packPath}: no entry at ${offset}`);
    const raw = this.whole ? this.whole.subarray(offset, end) : Buffer.allocUnsafe(end - offset);
    let read = this.whole ? raw.length : 0;
    while (read < raw.length) {
      const n = readSync(this.fd, raw, read, raw.length - read, offset + read);
      if (n === 0) throw new GitObjectFormatError(`${this.packPath}: truncated at ${offset + read}`);
      read += n;
    }
    const { code, size, next } = packEntryHeader(raw, 0);
    return { code, size, body: raw.subarray(next) };
  }
}

/** Applies a git delta to its base (git's pack format: copy and insert instructions). */
export function applyDelta(base: Buffer, delta: Buffer, maxTargetBytes = Infinity): Buffer {
  const { baseSize, targetSize, next } = deltaHeader(delta);
  let at = next;
  if (baseSize !== base.length) throw new GitObjectFormatError(`delta base is ${base.length} bytes, the delta expects ${baseSize}`);
  if (targetSize > maxTargetBytes) throw new GitObjectFormatError(`delta makes an object of ${targetSize} bytes, more than keepopen reads`);
  const target = Buffer.allocUnsafe(targetSize);
  let out = 0;
  while (at < delta.length) {
    const op = delta[at++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += delta[at++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (1 << (4 + bit))) size += delta[at++]! << (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || out + size > target.length) throw new GitObjectFormatError('delta copies outside its base or target');
      base.copy(target, out, offset, offset + size);
      out += size;
    } else if (op !== 0) {
      if (out + op > target.length) throw new GitObjectFormatError('delta inserts past its target');
      delta.copy(target, out, at, at + op);
      at += op;
      out += op;
    } else {
      throw new GitObjectFormatError('delta has a reserved instruction (0)');
    }
  }
  if (out !== target.length) throw new GitObjectFormatError(`delta made ${out} bytes, promised ${target.length}`);
  return target;
}

/** A small LRU by bytes, for delta bases. */
class BaseCache {
  private readonly entries = new Map<string, GitObject>();
  private bytes = 0;
  get(key: string): GitObject | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: GitObject): void {
    if (value.data.length > BASE_CACHE_BYTES / 4 || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.bytes += value.data.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= BASE_CACHE_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= old.data.length;
    }
  }
}

/** A repo's object database: packs first, then loose objects. `read` returns undefined when the object is in neither. */
export class GitObjectStore {
  private readonly cache = new BaseCache();

  private constructor(
    private readonly objectsDir: string,
    private readonly packs: Pack[],
    private readonly maxObjectBytes: number,
  ) {}

  /** `maxObjectBytes`: no object larger than this is ever inflated (default DEFAULT_MAX_OBJECT_BYTES). */
  static open(gitdir: string, options: { maxObjectBytes?: number } = {}): GitObjectStore {
    return GitObjectStore.openObjects(join(gitdir, 'objects'), 0, options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES);
  }

  /** An objects folder, with the folders its info/alternates names (as git borrows objects from them). */
  private static openObjects(objectsDir: string, depth: number, maxObjectBytes: number): GitObjectStore {
    const packDir = join(objectsDir, 'pack');
    const packs: Pack[] = [];
    if (existsSync(packDir)) {
      for (const name of readdirSync(packDir).sort()) {
        if (!name.endsWith('.idx')) continue;
        const packPath = join(packDir, name.replace(/\.idx$/, '.pack'));
        if (existsSync(packPath)) packs.push(new Pack(packPath, join(packDir, name), maxObjectBytes + 1024));
      }
    }
    const store = new GitObjectStore(objectsDir, packs, maxObjectBytes);
    const alternates = join(objectsDir, 'info', 'alternates');
    if (depth < 5 && existsSync(alternates)) {
      for (const line of readFileSync(alternates, 'utf8').split('\n')) {
        const dir = line.trim();
        if (dir && !dir.startsWith('#')) store.alternates.push(GitObjectStore.openObjects(resolve(objectsDir, dir), depth + 1, maxObjectBytes));
      }
    }
    return store;
  }

  private readonly alternates: GitObjectStore[] = [];

  close(): void {
    for (const pack of this.packs) pack.close();
    for (const alternate of this.alternates) alternate.close();
  }

  /** `depth`: how deep in a delta chain this read is (a chain that loops would never end). */
  read(oid: string, asBase = false, depth = 0): GitObject | undefined {
    const id = Buffer.from(oid, 'hex');
    for (const pack of this.packs) {
      const offset = pack.offsetOf(id);
      if (offset !== -1) return this.readPacked(pack, offset, asBase, depth);
    }
    const loose = this.readLoose(oid);
    if (loose) return loose;
    for (const alternate of this.alternates) {
      const found = alternate.read(oid, asBase, depth);
      if (found) return found;
    }
    return undefined;
  }

  private readLoose(oid: string): GitObject | undefined {
    let file: Buffer;
    try {
      file = readFileSync(join(this.objectsDir, oid.slice(0, 2), oid.slice(2)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new GitObjectFormatError(`loose object ${oid} cannot be read (${(error as Error).message})`);
    }
    // Sized from its header first; then never inflated past what the header says.
    const { type, size, headerLength } = looseHeader(file.subarray(0, 512), oid);
    if (size > this.maxObjectBytes) throw new GitObjectFormatError(`loose object ${oid} claims ${size} bytes, more than keepopen reads`);
    const raw = inflateAtMost(file, headerLength + size, `loose object ${oid}`);
    const data = raw.subarray(headerLength);
    if (!['commit', 'tree', 'blob', 'tag'].includes(type) || size !== data.length) {
      throw new GitObjectFormatError(`loose object ${oid} has a bad header`);
    }
    return { type: type as GitObjectType, data };
  }

  /** An entry, its delta chain resolved; only objects read as delta bases are cached (the ones that are read again). */
  private readPacked(pack: Pack, offset: number, asBase = false, depth = 0): GitObject {
    const key = `${pack.packPath}:${offset}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    // git writes chains of at most 4095 deltas (pack.depth); a longer one loops or is hostile.
    if (depth > MAX_DELTA_DEPTH) throw new GitObjectFormatError(`${pack.packPath}: a delta chain is longer than ${MAX_DELTA_DEPTH} (it loops, or the pack is damaged)`);
    const { code, size, body } = pack.readEntry(offset);
    if (size > this.maxObjectBytes) throw new GitObjectFormatError(`${pack.packPath}: the entry at ${offset} claims ${size} bytes, more than keepopen reads`);
    let object: GitObject;
    if (code === OFS_DELTA || code === REF_DELTA) {
      let base: GitObject | undefined;
      let at = 0;
      if (code === OFS_DELTA) {
        let byte = body[at++]!;
        let back = byte & 0x7f;
        while (byte & 0x80) {
          byte = body[at++]!;
          back = (back + 1) * 128 + (byte & 0x7f);
        }
        if (back <= 0 || back > offset) throw new GitObjectFormatError(`${pack.packPath}: the delta at ${offset} points at its own or no base`);
        base = this.readPacked(pack, offset - back, true, depth + 1);
      } else {
        base = this.read(body.subarray(0, 20).toString('hex'), true, depth + 1);
        at = 20;
        if (!base) throw new GitObjectFormatError(`delta base ${body.subarray(0, 20).toString('hex')} is missing`);
      }
      const delta = inflateAtMost(body.subarray(at), size, `${pack.packPath}: the delta at ${offset}`);
      object = { type: base.type, data: applyDelta(base.data, delta, this.maxObjectBytes) };
    } else {
      const type = TYPE_BY_CODE[code];
      if (!type) throw new GitObjectFormatError(`${pack.packPath}: unknown entry type ${code} at ${offset}`);
      object = { type, data: inflateAtMost(body, size, `${pack.packPath}: the entry at ${offset}`) };
      if (object.data.length !== size) throw new GitObjectFormatError(`${pack.packPath}: entry at ${offset} is ${object.data.length} bytes, its header says ${size}`);
    }
    // zlib's output may sit in a much larger allocation: a cached copy holds only its bytes.
    if (asBase) this.cache.set(key, object.data.buffer.byteLength > object.data.length * 2 ? { type: object.type, data: Buffer.from(object.data) } : object);
    return object;
  }

  /** An object's size without reading it all (the entry header, or a delta's target size), or undefined when absent. */
  sizeOf(oid: string): number | undefined {
    const id = Buffer.from(oid, 'hex');
    for (const pack of this.packs) {
      const offset = pack.offsetOf(id);
      if (offset === -1) continue;
      const { code, size, body } = pack.readEntryHead(offset);
      if (code !== OFS_DELTA && code !== REF_DELTA) return size;
      // The delta's own header (base size, then target size) is in its first inflated bytes.
      const head = inflateSync(body.subarray(deltaDataStart(code, body)), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      return deltaHeader(head).targetSize;
    }
    const loose = this.looseSize(oid);
    if (loose !== undefined) return loose;
    for (const alternate of this.alternates) {
      const size = alternate.sizeOf(oid);
      if (size !== undefined) return size;
    }
    return undefined;
  }

  /** A loose object's size from its header alone (the first inflated bytes: "blob 1234\0"). */
  private looseSize(oid: string): number | undefined {
    let fd: number;
    try {
      fd = openSync(join(this.objectsDir, oid.slice(0, 2), oid.slice(2)), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const head = Buffer.alloc(512);
      const n = readSync(fd, head, 0, head.length, 0);
      return looseHeader(head.subarray(0, n), oid).size;
    } catch (error) {
      if (error instanceof GitObjectFormatError) throw error;
      throw new GitObjectFormatError(`loose object ${oid} is damaged (${(error as Error).message})`);
    } finally {
      closeSync(fd);
    }
  }
}

/** A loose object's header ("blob 1234\0"), from the first compressed bytes of its file. */
function looseHeader(compressedStart: Buffer, oid: string): { type: string; size: number; headerLength: number } {
  let inflated: Buffer;
  try {
    // Z_SYNC_FLUSH: what the first bytes give, without the end of the stream; 512 compressed bytes inflate to at most ~512 KB.
    inflated = inflateSync(compressedStart, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1024 * 1024 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw new GitObjectFormatError(`loose object ${oid} is damaged (${(error as Error).message})`);
    throw new GitObjectFormatError(`loose object ${oid} has a bad header`);
  }
  const nul = inflated.indexOf(0);
  const [type = '', sizeText = ''] = inflated.subarray(0, nul === -1 ? 0 : nul).toString('latin1').split(' ');
  const size = Number(sizeText);
  if (nul === -1 || nul > 32 || !/^\d+$/.test(sizeText) || !Number.isSafeInteger(size)) throw new GitObjectFormatError(`loose object ${oid} has a bad header`);
  return { type, size, headerLength: nul + 1 };
}

/** A tree's entries: mode (as git writes it, e.g. 40000, 100644, 120000, 160000), name, object id. */
export function parseTree(data: Buffer): { mode: string; name: string; oid: string }[] {
  const entries: { mode: string; name: string; oid: string }[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const nul = data.indexOf(0, space);
    if (space === -1 || nul === -1 || nul + 21 > data.length) throw new GitObjectFormatError('tree object is damaged');
    entries.push({ mode: data.toString('latin1', at, space), name: data.toString('utf8', space + 1, nul), oid: data.toString('hex', nul + 1, nul + 21) });
    at = nul + 21;
  }
  return entries;
}

/** The headers a walk needs from a commit (or a tag): tree, parents, object. */
export function parseHeaders(data: Buffer): { tree?: string; parents: string[]; object?: string } {
  const end = data.indexOf('\n\n');
  const headers = data.toString('utf8', 0, end === -1 ? data.length : end).split('\n');
  const result: { tree?: string; parents: string[]; object?: string } = { parents: [] };
  for (const line of headers) {
    if (line.startsWith('tree ')) result.tree = line.slice(5, 45);
    else if (line.startsWith('parent ')) result.parents.push(line.slice(7, 47));
    else if (line.startsWith('object ')) result.object = line.slice(7, 47);
  }
  return result;
}
