/** Whether `bytes` starts with one of the byte patterns (-1 matches any byte). */
export function startsWithSignature(bytes: Uint8Array, signatures: readonly number[][]): boolean {
  return signatures.some((sig) => sig.length <= bytes.length && sig.every((b, i) => b === -1 || bytes[i] === b));
}
