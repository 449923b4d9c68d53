/**
 * Worker thread for license detection of headers not in the cache: receives header texts,
 * answers with their detections (the main thread does the file reading and caching).
 */
import { parentPort } from 'node:worker_threads';
import { detectLicense } from './detect.js';

parentPort?.on('message', (texts: string[]) => {
  parentPort!.postMessage(texts.map((t) => detectLicense(t) ?? null));
});
