import * as nn from '@deepwasm/nn';
import { runDbnTask } from '../../dist/tasks/index.js';
await nn.ready();
const [out, lr, seeds, fine, upDown] = process.argv.slice(2);
const r = await runDbnTask({ out, lr: +lr, seeds: +seeds, fineTuneEpochs: +fine, upDownEpochs: +upDown, temperatures: [1], lenet: '/tmp/energy-out/lenet5', progress: false });
console.log(JSON.stringify(r));
