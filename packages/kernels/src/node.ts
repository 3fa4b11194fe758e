/**
 * Node's built-in modules, reached at run time in a way no bundler follows: a browser bundle (Vite,
 * webpack, esbuild, Rollup) neither fails to resolve `node:fs/promises` nor pulls in a polyfill, and
 * the code that needs it runs only in Node. process.getBuiltinModule (Node >= 20.16) first, else a
 * dynamic import of a name bundlers cannot see.
 */
export async function nodeBuiltin<T>(id: `node:${string}`): Promise<T> {
  const get = typeof process === 'object' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (typeof get === 'function') return get(id) as T;
  const name: string = id;
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as T;
}
