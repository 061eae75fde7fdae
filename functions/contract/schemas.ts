/**
 * Shapes of what flows between the states of statemachine/failover.asl.json. Each Task parses its input
 * with these, so a state that receives something unexpected fails by name instead of guessing. One file per
 * stage of the workflow; this module is the whole contract of the state.
 */
export * from './workflow-state';
export * from './switch-plan';
export * from './switch-results';
export * from './verification';
