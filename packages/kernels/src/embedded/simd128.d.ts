// The types of dist/embedded/simd128.js, which scripts/embed-wasm.mjs writes after tsc (and copies this beside it).
/** The simd128 build of the kernels, to pass as { source: bytes } to loadKernels or nn.ready. */
export declare const bytes: Uint8Array;
export declare const isa: 'simd128';
/** The size of the build in bytes (the base64 text is a third larger). */
export declare const wasmBytes: number;
