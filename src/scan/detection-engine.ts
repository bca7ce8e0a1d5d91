import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Detector, FileScanResult } from '../detect/detector.js';
import type { RuleSpec } from '../detect/rule-types.js';
import { packageRoot } from '../package-root.js';
import { BUILTIN_RULES_DIR, loadRuleSpecs } from '../rules/load-rule-dirs.js';

// Where detection runs: in this thread (small scans, tests) or on a pool of
// worker threads so every core scans while the main thread fetches and reads
// git objects. Both take (path, bytes) and give back the pure core's result.

export interface DetectionEngine {
  scan(path: string, bytes: Uint8Array): Promise<FileScanResult>;
  close(): Promise<void>;
}

export function inProcessEngine(detector: Detector): DetectionEngine {
  return {
    scan: (path, bytes) => Promise.resolve(detector.scanBytes(path, bytes)),
    close: () => Promise.resolve(),
  };
}

export interface WorkerPoolOptions {
  size: number;
  /** Extra rule folders (the built-in patterns/ are always loaded). */
  ruleDirs: string[];
  /** Rules made from configuration rather than files. */
  extraSpecs: RuleSpec[];
  excludePaths: string[];
  /** Bytes handed to workers and not yet answered; past this, scan() waits (backpressure). */
  maxBytesInFlight?: number;
}

/** What a worker starts from: the rule specs already parsed here (so no worker parses YAML), and exclusions. */
export interface WorkerInit {
  specs: RuleSpec[];
  excludePaths: string[];
}

interface Pending {
  resolve: (result: FileScanResult) => void;
  reject: (error: Error) => void;
  bytes: number;
}

function workerScript(): string {
  const beside = fileURLToPath(new URL('./detection-worker.js', import.meta.url));
  // From the TypeScript sources (tests), the compiled worker in dist/ is used.
  return existsSync(beside) ? beside : join(packageRoot(), 'dist', 'src', 'scan', 'detection-worker.js');
}

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  private worker: Worker;

  constructor(private readonly init: WorkerInit, private readonly onSettled: (bytes: number) => void) {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = new Worker(workerScript(), { workerData: this.init });
    worker.on('message', (message: { id: number; result?: FileScanResult; error?: string }) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      this.onSettled(job.bytes);
      if (message.result) job.resolve(message.result);
      else job.reject(new Error(`detection failed: ${message.error ?? 'unknown error'}`));
    });
    const failAll = (reason: string) => {
      for (const [id, job] of this.pending) {
        this.pending.delete(id);
        this.onSettled(job.bytes);
        job.reject(new Error(`detection worker ${reason}`));
      }
    };
    worker.on('error', (error) => failAll(`crashed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.closing) return;
      failAll(`exited with code ${code}`);
      this.worker = this.start(); // the next file gets a fresh worker
    });
    return worker;
  }

  private closing = false;

  post(id: number, path: string, bytes: Uint8Array, job: Pending): void {
    this.pending.set(id, job);
    // A copy is sent: the bytes may be a view into a buffer git's pack cache still uses.
    this.worker.postMessage({ id, path, bytes });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}

export class WorkerPoolEngine implements DetectionEngine {
  private readonly workers: PoolWorker[];
  private nextId = 0;
  private bytesInFlight = 0;
  private readonly maxBytesInFlight: number;
  private readonly waiting: Array<() => void> = [];

  constructor(options: WorkerPoolOptions) {
    this.maxBytesInFlight = options.maxBytesInFlight ?? 64 * 1024 * 1024;
    // Rule files are read and parsed once, in this thread; each worker only compiles them, once.
    const specs = [...loadRuleSpecs([BUILTIN_RULES_DIR, ...options.ruleDirs]), ...options.extraSpecs];
    const init: WorkerInit = { specs, excludePaths: options.excludePaths };
    this.workers = Array.from({ length: Math.max(1, options.size) }, () => new PoolWorker(init, (bytes) => this.settled(bytes)));
  }

  private settled(bytes: number): void {
    this.bytesInFlight -= bytes;
    while (this.waiting.length > 0 && this.bytesInFlight < this.maxBytesInFlight) this.waiting.shift()!();
  }

  async scan(path: string, bytes: Uint8Array): Promise<FileScanResult> {
    // Backpressure: however many repos are being read, only so many bytes wait for detection.
    while (this.bytesInFlight > 0 && this.bytesInFlight + bytes.length > this.maxBytesInFlight) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.bytesInFlight += bytes.length;
    const worker = this.workers.reduce((least, w) => (w.pending.size < least.pending.size ? w : least));
    return new Promise<FileScanResult>((resolve, reject) => worker.post(this.nextId++, path, bytes, { resolve, reject, bytes: bytes.length }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
