// Type-checked in a Node-only project (lib ES2022, @types/node, skipLibCheck false): every package's
// declarations, the public API as a user writes it.
import * as nn from '@deepwasm/nn';
import { loadKernels, type Kernels, type LoadOptions } from '@deepwasm/kernels';
import { bytes } from '@deepwasm/kernels/embedded/simd128';
import { lenet5, resnet, summary } from '@deepwasm/models';
import { karateClub, mnistSplit, type MnistData } from '@deepwasm/data';

const options: LoadOptions = { isa: 'auto', source: bytes };
const k: Kernels = await loadKernels(options);
await nn.ready({ threads: 1 });
const model: nn.Module = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 26 * 26, 10));
const out: nn.Tensor = model.forward(nn.zeros([1, 1, 28, 28]));
const name: string = nn.moduleTypeName(model);
const text: string = summary(lenet5(), [1, 1, 28, 28]) + summary(resnet(18), [1, 3, 64, 64]);
const file: { path: string } = await nn.saveModel(model, 'out/model');
const back: nn.Module = await nn.loadModel(file.path);
const split: { train: nn.Dataset; test: nn.Dataset } = mnistSplit({ train: 10, test: 10 });
const digits: MnistData | null = null;
console.log(k.isa, out.shape, name, text.length, back.training, split.train.count, karateClub().numNodes, digits);
