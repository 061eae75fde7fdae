import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The detection benchmark's probe settings and latency model (bench/detection.ts). */

/** A probe setting under test. */
export interface DetectionSetting {
  name: string;
  probe: { intervalMs: number; timeoutMs: number; downAfterMs: number; heartbeatMs: number };
}

export const DETECTION_SETTINGS: DetectionSetting[] = [
  { name: 'default', probe: { intervalMs: 250, timeoutMs: 500, downAfterMs: 1000, heartbeatMs: 2000 } },
  // The smallest values the config schema accepts for each.
  { name: 'most aggressive', probe: { intervalMs: 100, timeoutMs: 100, downAfterMs: 200, heartbeatMs: 500 } },
];

/**
 * What AWS adds, in milliseconds. Where AWS publishes a figure the docs page cites it (docs/detection.md,
 * "Latency model"); the others are assumptions, stated there, adjustable here.
 */
export interface LatencyModel {
  /** Every EC2 call (the simulator's latency). AWS publishes none: assumption, as the other benchmarks. */
  ec2Ms: number;
  /** Every DynamoDB call of the probe. AWS: "single-digit millisecond"; 10 ms taken. */
  dynamoMs: number;
  /** The StartExecution call itself. Assumption. */
  startExecutionMs: number;
  /** From StartExecution's answer to the first state running. Assumption. */
  firstStateMs: number;
  /** Each Task state: Step Functions' transition and a warm Lambda invoke (the floor benchmark's 50 ms). Assumption. */
  taskMs: number;
  /** A cold start's environment creation before module init, uniform within [min, max]. Assumption. */
  coldEnvMs: [number, number];
  /** Module init per function folder: docs/bench/cold-start.md (bench/cold-start.ts, "as built", init wall ms). */
  initMs: Record<string, number>;
  /** Init for a function the cold start benchmark has not measured. */
  defaultInitMs: number;
  /** A probe round goes out up to this late (event loop, a busy 128 MB function), uniform. Assumption. */
  roundLatenessMs: number;
}

/** Module init of each function as measured by the cold start benchmark (median wall ms, "as built"), if recorded. */
export const measuredInitMs = (
  file = path.join(__dirname, '..', 'docs', 'bench', 'cold-start.md'),
): Record<string, number> => {
  if (!existsSync(file)) return {};
  const out: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | bundle | variant | SDK clients | size KiB | zod KiB | size × floor | init wall ms | …
    if (cells[2] === 'as built' && Number.isFinite(Number(cells[7]))) out[cells[1]] = Number(cells[7]);
  }
  return out;
};

export const defaultLatencyModel = (): LatencyModel => ({
  ec2Ms: 50,
  dynamoMs: 10,
  startExecutionMs: 50,
  firstStateMs: 50,
  taskMs: 50,
  coldEnvMs: [150, 400],
  initMs: measuredInitMs(),
  defaultInitMs: 300,
  roundLatenessMs: 20,
});
