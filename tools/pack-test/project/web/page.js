// The page: runs trainSaveLoad, then the same in a module Worker, and leaves both results in window.__result.
import { trainSaveLoad } from './train.js';

export async function runPage(startWorker, readyOptions) {
  try {
    const page = await trainSaveLoad('page', readyOptions);
    const worker = await new Promise((resolve) => {
      const w = startWorker();
      w.onmessage = (e) => {
        resolve(e.data);
        w.terminate();
      };
      w.onerror = (e) => resolve({ failure: `worker: ${e.message}` });
      w.postMessage('start');
    });
    window.__result = { page, worker };
  } catch (e) {
    window.__result = { failure: String((e && e.stack) || e) };
  }
}
