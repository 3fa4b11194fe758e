/**
 * Ops call the WebAssembly exports themselves, not @assemblyscript/loader's wrappers (ops/check.ts
 * `unwrapped`): that is only the same call while no export takes optional parameters, i.e. while the
 * builds export no argument-count setter for the wrapper to call.
 */
import { describe, expect, it } from 'vitest';
import { fill, loadKernels, type Isa } from '../src/index.js';
import { kernel } from '../src/ops/check.js';

for (const isa of ['simd128', 'relaxed'] as Isa[]) {
  describe(`kernel exports (${isa})`, () => {
    it('have no optional parameters, so the loader wrapper adds nothing to a call', async () => {
      const k = await loadKernels({ isa });
      const names = WebAssembly.Module.exports(k.module).map((e) => e.name);
      for (const setter of ['__argumentsLength', '__setArgumentsLength', '__setargc']) expect(names).not.toContain(setter);
    });

    it('are called unwrapped, with the same results', async () => {
      const k = await loadKernels({ isa });
      const wrapped = k.exports.f32_vfill as unknown as { original?: unknown };
      expect(typeof wrapped.original).toBe('function');
      expect(kernel(k, 'f32_vfill')).toBe(wrapped.original);
      const p = k.arena.alloc(37 * 4);
      fill(k, p, 37, 2.5);
      expect([...k.arena.f32(p, 37)]).toEqual(new Array(37).fill(2.5));
      // A function without `original` (a profiler's wrapper) is used as it is.
      const mine = (...a: number[]) => (wrapped.original as (...a: number[]) => void)(...a);
      const saved = k.exports.f32_vfill;
      (k.exports as Record<string, unknown>).f32_vfill = mine;
      try {
        expect(kernel(k, 'f32_vfill')).toBe(mine);
      } finally {
        (k.exports as Record<string, unknown>).f32_vfill = saved;
      }
    });
  });
}
