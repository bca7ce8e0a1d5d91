// A zlib bomb for tests: `bytes` zeros (after an optional prefix), deflated as a
// stream, so making a 1 GB bomb (about 1 MB of zlib) never holds 1 GB in memory.
import { createDeflate, constants } from 'node:zlib';

export async function deflatedZeros(bytes: number, prefix: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  const deflate = createDeflate({ level: constants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const write = (chunk: Buffer) => new Promise<void>((resolve) => (deflate.write(chunk) ? resolve() : deflate.once('drain', resolve)));
  await write(prefix);
  const zeros = Buffer.alloc(1024 * 1024);
  for (let left = bytes; left > 0; left -= zeros.length) await write(left >= zeros.length ? zeros : zeros.subarray(0, left));
  deflate.end();
  await done;
  return Buffer.concat(out);
}
