export { loadPlanetoid, planetoidFromJson, PLANETOID_NAMES, type PlanetoidName, type PlanetoidJson, type PlanetoidOptions, type NodeClassificationData } from './planetoid.js';
export { karateClub, KARATE_EDGES, type KarateClub } from './karate.js';
export { cycleCountGraphs, type GraphSample, type GraphClassificationData, type CycleCountOptions } from './cycles.js';
