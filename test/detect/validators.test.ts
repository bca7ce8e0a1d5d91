import { describe, expect, it } from 'vitest';
import { githubTokenChecksum, luhn, nhsCheckDigit, nhsNumber, signedJwt } from '../../src/detect/validators.js';

const b64url = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('validators', () => {
  it('NHS number: modulus 11 check digit', () => {
    // 943 476 5919 is the NHS's published worked example of the algorithm.
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(nhsNumber('9434765919')).toBe(true);
    expect(nhsNumber('943 476 5919')).toBe(true);
    expect(nhsNumber('943-476-5919')).toBe(true);
    expect(nhsNumber('9434765918')).toBe(false);
    expect(nhsNumber('0000000000')).toBe(false);
    expect(nhsNumber('12345')).toBe(false);
    // A check value of 10 means no valid number exists for those nine digits.
    const nine = Array.from({ length: 1000 }, (_, i) => String(100000000 + i * 7919)).find((n) => nhsCheckDigit(n) === null)!;
    for (let d = 0; d <= 9; d++) expect(nhsNumber(nine + d)).toBe(false);
  });

  it('Luhn', () => {
    expect(luhn('4111 1111 1111 1111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
  });

  it('signed JWT: header with alg, not none, and a signature', () => {
    const payload = b64url({ sub: 'keepopen-fake' });
    expect(signedJwt(`${b64url({ alg: 'HS256', typ: 'JWT' })}.${payload}.c2lnbmF0dXJl`)).toBe(true);
    expect(signedJwt(`${b64url({ alg: 'none' })}.${payload}.c2ln`)).toBe(false);
    expect(signedJwt(`${b64url({ alg: 'HS256' })}.${payload}.`)).toBe(false);
    expect(signedJwt(`${b64url({ typ: 'JWT' })}.${payload}.c2ln`)).toBe(false);
    expect(signedJwt(`${b64url('not json')}.${payload}.c2ln`)).toBe(false);
  });

  it('GitHub token checksum', () => {
    expect(githubTokenChecksum('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')).toBe(true);
    expect(githubTokenChecksum('ghp_KeepOpenFakeToken00000000000014P719f')).toBe(false);
    expect(githubTokenChecksum('ghp_short')).toBe(false);
  });
});
