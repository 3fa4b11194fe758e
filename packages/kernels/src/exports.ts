/**
 * The raw exports of the kernel module, one entry per exported AssemblyScript function.
 * Pointers are byte offsets into linear memory; booleans are i32 0/1.
 */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
  isa_relaxed(): number;
  [name: string]: unknown;
}
