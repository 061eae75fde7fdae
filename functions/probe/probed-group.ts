import { type FailoverConfig, findGroup, type Group, type ProbeConfig } from '../contract/config';
import { ConfigError } from '../contract/errors';

/** A group whose probe is configured (the config schema has then checked every member's probeAddress). */
export type ProbedGroup = Group & { probe: ProbeConfig };

/** The group named `name` of a (probe-only) config, with its probe enabled; ConfigError otherwise. */
export const probedGroup = (config: FailoverConfig, name: string): ProbedGroup => {
  const group = findGroup(config, name);
  if (!group) throw new ConfigError(`PROBE_CONFIG has no group "${name}"`);
  if (!group.probe?.enabled) throw new ConfigError(`group "${name}" has no enabled probe`);
  return group as ProbedGroup;
};

/** Timing derived from a probe config: what every location and the workflow input agree on. */
export const probeTiming = (probe: ProbeConfig) => ({
  /** A view not refreshed for this long is not live. */
  livenessMs: Math.round(2.5 * probe.heartbeatMs),
  /** How long a new invocation probes before the one it takes over from may stop. */
  warmupMs: probe.downAfterMs + probe.intervalMs + probe.timeoutMs + 500,
  minLocations: probe.minAgreeingLocations ?? Math.min(2, probe.subnetIds.length),
});
