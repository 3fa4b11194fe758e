/**
 * A block of WASM memory shared by tensors that view the same data (reshape shares, it does not copy).
 * Freed when its last tensor is disposed; a tensor dropped outside any scope is freed when the
 * garbage collector finalises its storage, so forgetting dispose() leaks nothing for long. Only such
 * storage is registered with the FinalizationRegistry (`collectable()`): a tensor that a scope or a
 * step holds cannot be collected before they free it, and most tensors (a step's intermediates) die
 * that way, so registering each one when it is made (1.5-2.5 µs, and as much to unregister) bought
 * nothing.
 */
import type { Kernels } from '@deepwasm/kernels';

interface Cell {
  k: Kernels;
  ptr: number;
  live: boolean;
}

const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Cell>((cell) => {
        if (cell.live) {
          cell.live = false;
          cell.k.arena.free(cell.ptr);
        }
      })
    : null;

export class Storage {
  private refs = 1;
  private registered = false;
  private readonly cell: Cell;

  constructor(
    readonly k: Kernels,
    /** Number of f32 elements. */
    readonly size: number,
  ) {
    const ptr = k.arena.alloc(Math.max(1, size) * 4);
    this.cell = { k, ptr, live: true };
  }

  /** Lets the garbage collector free the block once no tensor holds this storage (idempotent). */
  collectable(): void {
    if (this.registered || !this.cell.live || finalizer === null) return;
    this.registered = true;
    finalizer.register(this, this.cell, this);
  }

  get ptr(): number {
    return this.cell.ptr;
  }

  get live(): boolean {
    return this.cell.live;
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs > 0 || !this.cell.live) return;
    this.cell.live = false;
    if (this.registered) finalizer?.unregister(this);
    this.k.arena.free(this.cell.ptr);
  }
}
