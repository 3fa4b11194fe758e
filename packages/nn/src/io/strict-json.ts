/**
 * A JSON reader for files that must not lie: it rejects what JSON.parse lets through silently
 * (a key given twice keeps only its last value there) and limits nesting depth (so a hostile file
 * gets an error, not a stack overflow further on). Objects come back with a null prototype, so
 * keys like "__proto__" or "constructor" are plain data. Strings and numbers are decoded by
 * JSON.parse itself, token by token, so values are exactly what JSON.parse would give.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface StrictJsonOptions {
  /** Deepest nesting of arrays and objects accepted (the top level is depth 1). */
  maxDepth?: number;
  /** Names the document in errors, e.g. 'safetensors header'. */
  what?: string;
  /** Appended to the nesting-depth error (e.g. what the limit means for this document). */
  depthHint?: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Parses `text` as one JSON value (surrounding JSON whitespace allowed). */
export function parseStrictJson(text: string, opts: StrictJsonOptions = {}): JsonValue {
  const maxDepth = opts.maxDepth ?? 64;
  const what = opts.what ?? 'JSON';
  let i = 0;
  const fail = (msg: string): never => {
    const near = JSON.stringify(text.slice(Math.max(0, i - 20), i + 20));
    throw new Error(`${what}: ${msg} at character ${i} (near ${near})`);
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const string = (): string => {
    STRING.lastIndex = i;
    const m = STRING.exec(text);
    if (m === null) fail('invalid string');
    i += m![0].length;
    return JSON.parse(m![0]) as string;
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail('unexpected character');
  };
  // Iterative descent over an explicit stack: depth is bounded by maxDepth, never by the JS stack.
  type Frame = { kind: 'array'; value: JsonValue[] } | { kind: 'object'; value: JsonObject; key: string };
  const stack: Frame[] = [];
  const open = (value: JsonValue[] | JsonObject): void => {
    if (stack.length >= maxDepth) fail(`nesting deeper than ${maxDepth} levels${opts.depthHint ?? ''}`);
    if (Array.isArray(value)) stack.push({ kind: 'array', value });
    else stack.push({ kind: 'object', value, key: '' });
  };
  let result: JsonValue | undefined;
  // Reads a value; containers are opened and filled by the loop below.
  const value = (): JsonValue | undefined => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      open(Object.create(null) as JsonObject);
      return undefined;
    }
    if (c === '[') {
      i++;
      open([]);
      return undefined;
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return fail(i >= text.length ? 'unexpected end' : 'unexpected character');
    i += m![0].length;
    return Number(m![0]);
  };
  const key = (frame: Extract<Frame, { kind: 'object' }>): void => {
    ws();
    if (text[i] !== '"') fail('expected a key in double quotes');
    const k = string();
    if (Object.prototype.hasOwnProperty.call(frame.value, k)) fail(`duplicate key ${JSON.stringify(k)}`);
    ws();
    if (text[i] !== ':') fail(`expected ":" after key ${JSON.stringify(k)}`);
    i++;
    frame.key = k;
  };
  // Stores a finished value in its parent (or as the result) and consumes what follows it.
  let pending = value();
  for (;;) {
    if (pending === undefined) {
      // A container was just opened: it may be empty.
      const top = stack[stack.length - 1]!;
      ws();
      if (top.kind === 'array' && text[i] === ']') {
        i++;
        pending = stack.pop()!.value;
      } else if (top.kind === 'object' && text[i] === '}') {
        i++;
        pending = stack.pop()!.value;
      } else {
        if (top.kind === 'object') key(top);
        pending = value();
        continue;
      }
    }
    // pending is a complete value.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        result = pending;
        break;
      }
      if (top.kind === 'array') top.value.push(pending!);
      else Object.defineProperty(top.value, top.key, { value: pending, enumerable: true, writable: true, configurable: true });
      ws();
      const close = top.kind === 'array' ? ']' : '}';
      if (text[i] === ',') {
        i++;
        if (top.kind === 'object') key(top);
        pending = value();
        break;
      }
      if (text[i] === close) {
        i++;
        pending = stack.pop()!.value;
        continue;
      }
      fail(i >= text.length ? 'unexpected end' : `expected "," or "${close}"`);
    }
    if (result !== undefined) break;
  }
  ws();
  if (i !== text.length) fail('unexpected text after the end of the value');
  return result;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
