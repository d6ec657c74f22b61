/** The face of the agents feature: structures, agents' profiles and competence levels. */
export { agentFacts, agentStructureAddress, changeAgent, createStructure, listStructureAgents, seedStructures, structureNames, structureOfAgent, suspendInactiveAgents, touchAgent } from './agents.ts';
export type { AgentChange, AgentChangeOutcome, SeedAgent, SeedStructure, StructureAgent } from './agents.ts';
