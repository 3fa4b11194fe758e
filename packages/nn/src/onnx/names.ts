/** A module's type name for node names and errors. */
import type { Module } from '../modules/module.js';

export function moduleTypeName(m: Module): string {
  return m.constructor.name;
}
