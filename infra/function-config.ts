import type { FailoverConfig, FailoverConfigInput } from '../functions/contract/config';

/**
 * The part of the config that the workflow functions reading FAILOVER_CONFIG (acquire-lease, resolve-targets)
 * use, in the config's own shape, so they parse it with the same schema. Left out, because no Task function
 * reads them and a function's environment is readable by anyone with lambda:GetFunctionConfiguration:
 * - `notifications`: the e-mail addresses (subscribers of the topic, which only CloudFormation needs);
 * - `reservedConcurrency`: sizing read by infra only;
 * - each group's `probe` block and each member's `probeAddress`: only the group's probe function gets them
 *   (PROBE_CONFIG).
 * Only fields without a schema default are dropped, so the parse cannot fill in a value that differs from the
 * deployed config (the defaulted `notifications` comes back as an empty list, which is what these functions see).
 */
export const workflowFunctionConfig = (config: FailoverConfig): FailoverConfigInput => ({
  groups: config.groups.map(({ probe: _probe, members, ...group }) => ({
    ...group,
    members: members.map(({ probeAddress: _address, ...member }) => member),
  })),
});

/** The route guard's FAILOVER_CONFIG: the workflow's part and the guard's own settings (constructs/guard.ts). */
export const guardFunctionConfig = (config: FailoverConfig): FailoverConfigInput => ({
  ...workflowFunctionConfig(config),
  guard: config.guard,
});
