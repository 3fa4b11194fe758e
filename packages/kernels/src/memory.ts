/**
 * The arena: the one owner of the kernels' linear memory.
 *
 * Blocks are 64-byte aligned (a cache line, and more than any v128 load needs) and rounded up to size
 * classes with at most 12.5% slack. A freed block goes to the free list of its class and is handed out
 * again for the next request of that class, so a training loop that allocates the same shapes every
 * step stops growing memory after its first step.
 */
const ALIGN = 64;
const PAGE = 65536;

/** Size class of a request: multiples of 64 up to 1 KiB, then m * 2^e with a 3-bit mantissa. */
export function sizeClass(bytes: number): number {
  const n = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (n <= 1024) return n;
  const e = Math.floor(Math.log2(n)) - 3;
  const step = 2 ** e;
  return Math.ceil(n / step) * step;
}

export interface ArenaStats {
  /** Bytes in blocks currently handed out (by size class). */
  inUse: number;
  /** Blocks currently handed out. */
  liveBlocks: number;
  /** Bytes from the arena base to the high-water mark. */
  reserved: number;
  /** Size of linear memory in bytes. */
  memoryBytes: number;
}

export class Arena {
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly blockClass = new Map<number, number>();
  private inUseBytes = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly base: number,
  ) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  /** Returns the byte offset of a block of at least `bytes` bytes, 64-byte aligned. */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new RangeError(`Arena.alloc: invalid size ${bytes}`);
    }
    const cls = sizeClass(bytes);
    const list = this.freeLists.get(cls);
    let ptr: number;
    if (list !== undefined && list.length > 0) {
      ptr = list.pop()!;
    } else {
      ptr = this.top;
      this.ensure(ptr + cls);
      this.top = ptr + cls;
    }
    this.blockClass.set(ptr, cls);
    this.inUseBytes += cls;
    return ptr;
  }

  /** Returns a block to its free list. Freeing twice or freeing a foreign pointer throws. */
  free(ptr: number): void {
    const cls = this.blockClass.get(ptr);
    if (cls === undefined) {
      throw new Error(`Arena.free: ${ptr} is not a live block (double free?)`);
    }
    this.blockClass.delete(ptr);
    this.inUseBytes -= cls;
    let list = this.freeLists.get(cls);
    if (list === undefined) {
      list = [];
      this.freeLists.set(cls, list);
    }
    list.push(ptr);
  }

  /** Usable size of a live block (its size class). */
  blockSize(ptr: number): number {
    const cls = this.blockClass.get(ptr);
    if (cls === undefined) throw new Error(`Arena.blockSize: ${ptr} is not a live block`);
    return cls;
  }

  isLive(ptr: number): boolean {
    return this.blockClass.has(ptr);
  }

  stats(): ArenaStats {
    return {
      inUse: this.inUseBytes,
      liveBlocks: this.blockClass.size,
      reserved: this.top - this.base,
      memoryBytes: this.memory.buffer.byteLength,
    };
  }

  /** A Float32Array over `length` floats at `ptr`. Views go stale when memory grows: take them fresh. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow by at least a quarter of what we have, so a growing model does not grow page by page.
    const needPages = Math.ceil((end - have) / PAGE);
    const pages = Math.max(needPages, Math.ceil(have / PAGE / 4));
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(needPages);
      } catch {
        throw new RangeError(
          `Out of WebAssembly memory: need ${end} bytes, have ${have} bytes (the engine limit is 4 GiB)`,
        );
      }
    }
  }
}
