/** Test-set figures of a digit classifier: loss, accuracy, confusion matrix, the misclassified digits. */
import * as nn from '@deepwasm/nn';

export interface TestReport {
  loss: number;
  accuracy: number;
  /** 10 x 10 counts, row = true digit, column = predicted. */
  confusion: Int32Array;
  /** The first misclassified test digits: index in the test set, true and predicted class, pixels (0-255). */
  wrong: { index: Int32Array; truth: Uint8Array; predicted: Uint8Array; pixels: Uint8Array };
}

/** The model's class scores for every sample of ds, reshaped to sampleShape (eval mode, no gradients). */
export function logits(model: nn.Module, ds: nn.Dataset, sampleShape: readonly number[]): Float32Array {
  const was = model.training;
  try {
    return nn.tidy(() => nn.predict(model, { ...ds, sampleShape }, { batchSize: 500 }).toArray());
  } finally {
    model.train(was);
  }
}

export function testReport(model: nn.Module, ds: nn.Dataset, sampleShape: readonly number[], maxWrong = 48): TestReport {
  const out = logits(model, ds, sampleShape);
  const y = ds.y as Uint8Array;
  const confusion = new Int32Array(100);
  const wrong: number[] = [];
  const wrongPred: number[] = [];
  let loss = 0;
  let right = 0;
  for (let i = 0; i < ds.count; i++) {
    const row = out.subarray(i * 10, i * 10 + 10);
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < 10; c++) if (row[c]! > max) (max = row[c]!), (best = c);
    let sum = 0;
    for (let c = 0; c < 10; c++) sum += Math.exp(row[c]! - max);
    loss += max + Math.log(sum) - row[y[i]!]!;
    confusion[y[i]! * 10 + best]!++;
    if (best === y[i]) right++;
    else if (wrong.length < maxWrong) wrong.push(i), wrongPred.push(best);
  }
  const pixels = new Uint8Array(wrong.length * 784);
  wrong.forEach((i, k) => {
    for (let p = 0; p < 784; p++) pixels[k * 784 + p] = Math.round(ds.x[i * 784 + p]! * 255);
  });
  return {
    loss: loss / ds.count,
    accuracy: right / ds.count,
    confusion,
    wrong: { index: Int32Array.from(wrong), truth: Uint8Array.from(wrong, (i) => y[i]!), predicted: Uint8Array.from(wrongPred), pixels },
  };
}

/** Softmax probabilities of one 28x28 digit (784 values in [0, 1]). */
export function classifyDigit(model: nn.Module, pixels: Float32Array, sampleShape: readonly number[]): Float32Array {
  if (pixels.length !== 784) throw new Error(`predict: a digit has 784 pixels, got ${pixels.length}`);
  const was = model.training;
  model.eval();
  try {
    return nn.noGrad(() => nn.tidy(() => nn.softmax(model.forward(nn.fromArray(pixels, [1, ...sampleShape])), -1).toArray()));
  } finally {
    model.train(was);
  }
}

/**
 * The input shape a loaded digit model takes: [1, 28, 28] when its first layer with weights is a
 * convolution, else [784]; checked by running one digit, which must give 10 class scores.
 */
export function digitInputShape(model: nn.Module): number[] {
  const first = model.namedModules().map(([, m]) => m).find((m) => m.namedChildren().length === 0 && m.parameters().length > 0);
  const shape = first instanceof nn.Conv2d ? [1, 28, 28] : [784];
  const out = nn.noGrad(() => nn.tidy(() => [...model.forward(nn.zeros([1, ...shape])).shape]));
  if (out.length !== 2 || out[1] !== 10) {
    throw new Error(`this model maps a digit [1, ${shape.join(', ')}] to [${out.join(', ')}], not to 10 class scores`);
  }
  return shape;
}
