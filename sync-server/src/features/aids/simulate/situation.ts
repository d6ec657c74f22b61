// The household situation a simulation starts from lives in the protocol (the kiosk's questionnaire builds it).
export * from '../../../../protocol/simulation.ts';
