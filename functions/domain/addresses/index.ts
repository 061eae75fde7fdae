/** The address switch's pure decisions: plan, verify one, the invariant's address clause, rendering, named errors. */
export * from './model';
export * from './plan';
export * from './verify';
export * from './invariant';
export * from './render';
export * from './errors';
export * from './audit';
