// Turning a file's bytes into text once, before any rule runs.

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf16le = new TextDecoder('utf-16le', { fatal: false });
const utf16be = new TextDecoder('utf-16be', { fatal: false });

/** How far into a file to look for a NUL byte, as git does to call a file binary. */
const BINARY_SNIFF_BYTES = 8000;

export type Decoded = { kind: 'text'; text: string } | { kind: 'binary' };

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'binary';

/**
 * UTF-16 LE/BE by BOM, else UTF-8 (with or without a BOM) unless a NUL byte in the
 * first 8000 bytes marks the file binary.
 */
export function textEncodingOf(bytes: Uint8Array): TextEncoding {
  if (bytes.length >= 2) {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  const sniff = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < sniff; i++) {
    if (bytes[i] === 0) return 'binary';
  }
  return 'utf-8';
}

/** The text of bytes in a text encoding (the BOM dropped). Invalid UTF-8 becomes U+FFFD, never an error. */
export function decodeAs(bytes: Uint8Array, encoding: Exclude<TextEncoding, 'binary'>): string {
  if (encoding === 'utf-16le') return utf16le.decode(bytes.subarray(2));
  if (encoding === 'utf-16be') return utf16be.decode(bytes.subarray(2));
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return utf8.decode(bom ? bytes.subarray(3) : bytes);
}

/**
 * Text by BOM (UTF-8, UTF-16 LE/BE), else UTF-8 unless a NUL byte in the first
 * 8000 bytes marks the file binary. Invalid UTF-8 becomes U+FFFD, never an error.
 */
export function decodeBytes(bytes: Uint8Array): Decoded {
  const encoding = textEncodingOf(bytes);
  return encoding === 'binary' ? { kind: 'binary' } : { kind: 'text', text: decodeAs(bytes, encoding) };
}
