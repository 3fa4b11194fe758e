// The WebAssembly types this package's declarations name, for projects whose `lib` has no DOM (a
// Node-only tsconfig: lib ES2022 and @types/node, which declares no WebAssembly namespace). Empty
// interfaces: they merge with lib.dom's declarations where those exist and can never conflict.
// dist/index.d.ts references it here (the package ships src/ for its source maps too).
declare namespace WebAssembly {
  interface Module {}
  interface Memory {}
}
