// The module Worker: runs trainSaveLoad when the page asks and posts the result back.
import { trainSaveLoad } from './train.js';

export function serve(readyOptions) {
  self.onmessage = async () => {
    try {
      self.postMessage(await trainSaveLoad('worker', readyOptions));
    } catch (e) {
      self.postMessage({ failure: String((e && e.stack) || e) });
    }
  };
}
