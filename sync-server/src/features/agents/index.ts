/** The face of the agents feature: structures, agents' profiles and competence levels. */
export { agentFacts, seedStructures, structureNames, suspendInactiveAgents, touchAgent } from './agents.ts';
export type { SeedAgent, SeedStructure } from './agents.ts';
