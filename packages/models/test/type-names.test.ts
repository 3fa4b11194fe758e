/**
 * Every module class this package exports declares its own static typeName (its export name) and is
 * registered, so saved presets load and summaries name them in minified builds too (docs/add-a-layer.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@deepwasm/nn';
import * as models from '../src/index.js';

beforeAll(async () => {
  await nn.ready({ isa: 'simd128', threads: 1 });
});

describe('type names', () => {
  it('every exported module class declares its own typeName and is registered', () => {
    const classes = (Object.entries(models) as Array<[string, unknown]>).filter(
      (e): e is [string, { typeName: string }] => typeof e[1] === 'function' && e[1].prototype instanceof nn.Module,
    );
    expect(classes.length).toBeGreaterThan(10);
    const registered = new Set(nn.moduleTypes());
    for (const [name, cls] of classes) {
      expect(Object.prototype.hasOwnProperty.call(cls, 'typeName'), `${name} declares no static typeName`).toBe(true);
      expect(cls.typeName, `${name}.typeName`).toBe(name);
      expect(registered.has(name), `${name} is not registered (nn.registerModuleType)`).toBe(true);
    }
  });

  it('summary names each layer by its typeName', () => {
    const text = models.summary(models.lenet5(), [1, 1, 28, 28]);
    for (const t of ['Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']) expect(text).toContain(t);
  });
});
