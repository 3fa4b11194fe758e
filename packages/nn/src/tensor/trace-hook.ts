/**
 * The one switch the ONNX exporter (onnx/) turns on while it runs a model's forward: every public op
 * (defineOp) and every module call report to the active tracer, which records the outermost op calls
 * and keeps the module path for names and errors. With no tracer (always, outside an export) the cost
 * is one variable read per op.
 */
import type { Module } from '../modules/module.js';

export interface OpTracer {
  /** An op call: `run` computes it; the tracer records the outermost calls (ops inside ops are parts of them). */
  op(name: string, args: readonly unknown[], run: () => unknown): unknown;
  /** A module's forward call: `run` computes it. */
  module(m: Module, run: () => unknown): unknown;
}

let active: OpTracer | null = null;

export function activeTracer(): OpTracer | null {
  return active;
}

/** Runs fn with `tracer` receiving every op and module call (not re-entrant: one export at a time). */
export function withTracer<T>(tracer: OpTracer, fn: () => T): T {
  if (active !== null) throw new Error('exportOnnx: an export is already running (exports cannot nest)');
  active = tracer;
  try {
    return fn();
  } finally {
    active = null;
  }
}
