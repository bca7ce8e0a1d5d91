import { crc32 } from 'node:zlib';

// Checks a regex cannot express. A rule names one with `validator: NAME`; the
// secret group's value is passed in and the finding is kept only when it returns true.
// Pure functions, no I/O.

export type Validator = (secret: string) => boolean;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub's 2021 token format: prefix_, 30 random base62 characters, then the
 * CRC32 of those 30 characters in base62, padded to 6. A typo or an invented
 * token fails this, a real one passes.
 */
export function githubTokenChecksum(secret: string): boolean {
  const body = secret.slice(secret.lastIndexOf('_') + 1);
  if (body.length !== 36) return false;
  const random = body.slice(0, 30);
  const checksum = body.slice(30);
  return base62(crc32(random) >>> 0, 6) === checksum;
}

/** The check digit an NHS number's first nine digits call for, or null when none is valid (10). */
export function nhsCheckDigit(firstNine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** NHS number: ten digits (spaces or dashes allowed as 3-3-4) with a valid modulus 11 check digit. */
export function nhsNumber(secret: string): boolean {
  const digits = secret.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  if (/^(\d)\1{9}$/.test(digits)) return false; // 0000000000 and friends pass mod 11 trivially
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** Luhn check, for card numbers and similar identifiers. */
export function luhn(secret: string): boolean {
  const digits = secret.replace(/[\s-]/g, '');
  if (!/^\d{8,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function decodeBase64Url(part: string): string | null {
  try {
    return Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return null;
  }
}

/**
 * A signed JWT: three parts, a header that decodes to JSON with an `alg` other
 * than "none" (unsigned tokens carry no authority), and a non-empty signature.
 */
export function signedJwt(secret: string): boolean {
  const parts = secret.split('.');
  if (parts.length !== 3 || !parts[2]) return false;
  const header = decodeBase64Url(parts[0] ?? '');
  const payload = decodeBase64Url(parts[1] ?? '');
  if (header === null || payload === null) return false;
  try {
    const parsedHeader: unknown = JSON.parse(header);
    JSON.parse(payload);
    if (typeof parsedHeader !== 'object' || parsedHeader === null) return false;
    const alg = (parsedHeader as { alg?: unknown }).alg;
    return typeof alg === 'string' && alg.toLowerCase() !== 'none';
  } catch {
    return false;
  }
}

export const VALIDATORS: Readonly<Record<string, Validator>> = {
  'github-token-checksum': githubTokenChecksum,
  'nhs-number-mod11': nhsNumber,
  luhn,
  'signed-jwt': signedJwt,
};
