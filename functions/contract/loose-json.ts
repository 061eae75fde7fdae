/**
 * JSON read field by field where a schema per read would cost more than it checks: the local runner's event log,
 * execution outputs shown by the CLI and the bench. A decision of the product never takes one: it parses with a
 * schema (contract/schemas.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: the one loose JSON shape of the repo; each reader checks what it uses
export type LooseJson = Record<string, any>;
