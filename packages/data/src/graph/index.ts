// Graph datasets: no Node-only imports, so browsers can load this entry alone (`@deepwasm/data/graph`);
// the package root adds `loadPlanetoid`, which reads the bundled JSON from disk in Node.
export {
  fetchPlanetoid, planetoidFromBytes, planetoidFromJson, planetoidUrl, PLANETOID_NAMES,
  type FetchPlanetoidOptions, type PlanetoidName, type PlanetoidJson, type PlanetoidOptions, type NodeClassificationData,
} from './planetoid.js';
export { karateClub, KARATE_EDGES, type KarateClub } from './karate.js';
export { cycleCountGraphs, type GraphSample, type GraphClassificationData, type CycleCountOptions } from './cycles.js';
