/** The Node loader of the Planetoid graphs: reads this package's planetoid/<name>.json from disk. */
import { readFileSync } from 'node:fs';
import { checkName, planetoidFromBytes, planetoidUrl, type NodeClassificationData, type PlanetoidName, type PlanetoidOptions } from './planetoid.js';

/** Reads planetoid/<name>.json from this package (Node; browsers use `fetchPlanetoid`). */
export function loadPlanetoid(name: PlanetoidName, opts: PlanetoidOptions = {}): NodeClassificationData {
  checkName('loadPlanetoid', name);
  return planetoidFromBytes(name, readFileSync(planetoidUrl(name)), opts);
}
