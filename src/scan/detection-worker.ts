import { parentPort, workerData } from 'node:worker_threads';
import { Detector } from '../detect/detector.js';
import { compileRules } from '../detect/rule-compiler.js';
import type { WorkerInit } from './detection-engine.js';

// One detection thread: compiles the rules it is given once (the main thread read and parsed
// the rule files), then scans whatever files it is sent.

const init = workerData as WorkerInit;
const detector = new Detector(compileRules(init.specs), { excludePaths: init.excludePaths });

parentPort!.on('message', (message: { id: number; path: string; bytes: Uint8Array }) => {
  try {
    parentPort!.postMessage({ id: message.id, result: detector.scanBytes(message.path, message.bytes) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
