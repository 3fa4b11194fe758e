/**
 * Type names survive minification: every module class exported by this package declares its own
 * static typeName (its export name), registered for loading, and getConfig, summaries and messages
 * use it instead of constructor.name. A class added without one fails here; see docs/add-a-layer.md.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { use } from './setup.js';

beforeAll(async () => {
  await use('simd128');
});

/** Exported base classes that are never instantiated themselves. */
const ABSTRACT = new Set<unknown>([nn.Module, nn.GraphModule, nn.Attention, nn.Optimizer]);

function exportedSubclasses(base: abstract new (...a: never[]) => unknown): Array<[string, { typeName: string }]> {
  return (Object.entries(nn) as Array<[string, unknown]>).filter(
    (e): e is [string, { typeName: string }] => typeof e[1] === 'function' && e[1].prototype instanceof base && !ABSTRACT.has(e[1]),
  );
}

describe('type names', () => {
  it('every exported module class declares its own typeName, its export name, and is registered for loading', () => {
    const classes = exportedSubclasses(nn.Module);
    expect(classes.length).toBeGreaterThan(35);
    const registered = new Set(nn.moduleTypes());
    for (const [name, cls] of classes) {
      expect(Object.prototype.hasOwnProperty.call(cls, 'typeName'), `${name} declares no static typeName`).toBe(true);
      expect(cls.typeName, `${name}.typeName`).toBe(name);
      expect(registered.has(name), `${name} is not registered (registerModuleType / registry.ts)`).toBe(true);
    }
  });

  it('every exported optimizer declares its own typeName, used in its messages', () => {
    const classes = exportedSubclasses(nn.Optimizer);
    expect(classes.map(([n]) => n).sort()).toEqual(['Adadelta', 'Adagrad', 'Adam', 'AdamW', 'RMSprop', 'SGD']);
    for (const [name, cls] of classes) {
      expect(Object.prototype.hasOwnProperty.call(cls, 'typeName'), `${name} declares no static typeName`).toBe(true);
      expect(cls.typeName).toBe(name);
    }
  });

  it('moduleTypeName reads the static name, not the class name (as after minification)', () => {
    class Wn extends nn.Module {
      static override readonly typeName = 'MyBlock';
      forward(x: nn.Tensor): nn.Tensor {
        return x;
      }
    }
    class Plain extends nn.Module {
      forward(x: nn.Tensor): nn.Tensor {
        return x;
      }
    }
    expect(nn.moduleTypeName(new Wn())).toBe('MyBlock');
    expect(nn.moduleTypeName(new Plain())).toBe('Plain'); // a user class without one: its class name
    // A subclass of a built-in layer that declares none is not taken for the built-in.
    class MyLinear extends nn.Linear {}
    expect(nn.moduleTypeName(new MyLinear(2, 2))).toBe('MyLinear');
  });
});
