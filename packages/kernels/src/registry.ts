/**
 * The kernel variants, one line each: tests and benchmarks iterate this list. Every kernel is built
 * twice from the same source (plain SIMD128 and relaxed SIMD); the build is chosen at load time.
 */
export interface GemmVariant {
  /** Export name in the kernel module. */
  name: string;
  /** Register tile: rows x columns of C per micro-kernel call. */
  mr: number;
  nr: number;
  /** Cache blocking of K (the other blocks are MC and NC in the kernel source). */
  kc: number;
}

export const gemmVariants: readonly GemmVariant[] = [{ name: 'f32_gemm_4x8', mr: 4, nr: 8, kc: 512 }];
