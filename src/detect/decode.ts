// Turning a file's bytes into text once, before any rule runs.

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf16le = new TextDecoder('utf-16le', { fatal: false });
const utf16be = new TextDecoder('utf-16be', { fatal: false });

/** How far into a file to look for a NUL byte, as git does to call a file binary. */
const BINARY_SNIFF_BYTES = 8000;

export type Decoded = { kind: 'text'; text: string } | { kind: 'binary' };

/**
 * Text by BOM (UTF-8, UTF-16 LE/BE), else UTF-8 unless a NUL byte in the first
 * 8000 bytes marks the file binary. Invalid UTF-8 becomes U+FFFD, never an error.
 */
export function decodeBytes(bytes: Uint8Array): Decoded {
  if (bytes.length >= 2) {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return { kind: 'text', text: utf16le.decode(bytes.subarray(2)) };
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return { kind: 'text', text: utf16be.decode(bytes.subarray(2)) };
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { kind: 'text', text: utf8.decode(bytes.subarray(3)) };
  }
  const sniff = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < sniff; i++) {
    if (bytes[i] === 0) return { kind: 'binary' };
  }
  return { kind: 'text', text: utf8.decode(bytes) };
}
