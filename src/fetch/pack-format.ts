// The few pieces of git's pack format that both the object store (reading packs on disk)
// and the HTTP client (checking a pack before isomorphic-git inflates it) decode. Each
// stops at the end of its buffer: a cut-short header reads as zero bits, never past it.

/** Entry type codes of the two delta kinds (the others are commit 1, tree 2, blob 3, tag 4). */
export const OFS_DELTA = 6;
export const REF_DELTA = 7;

/** A pack entry's header at `at`: its type code, its (inflated) size, and where its body starts. */
export function packEntryHeader(bytes: Uint8Array, at: number): { code: number; size: number; next: number } {
  let byte = bytes[at++] ?? 0;
  const code = (byte >> 4) & 7;
  let size = byte & 15;
  let shift = 4;
  while (byte & 0x80 && at < bytes.length) {
    byte = bytes[at++]!;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  return { code, size, next: at };
}

/** Where a delta entry's zlib data starts in its body: after its base's offset (OFS_DELTA) or object id (REF_DELTA). */
export function deltaDataStart(code: number, body: Uint8Array): number {
  if (code === REF_DELTA) return 20;
  let at = 0;
  while (at < body.length && body[at++]! & 0x80);
  return at;
}

/** An inflated delta's header: the size of its base, the size of what it makes, and where its instructions start. */
export function deltaHeader(delta: Uint8Array): { baseSize: number; targetSize: number; next: number } {
  let at = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const baseSize = varint();
  const targetSize = varint();
  return { baseSize, targetSize, next: at };
}
