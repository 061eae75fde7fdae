import type { DetectionBenchOptions, DetectionRow, Percentiles } from './detection';
import type { LatencyModel } from './detection-model';
import { ESTATE, PRIORITY_TABLES, PRIORITY_TAG } from './detection-sample';
import type { Table } from './report';

const sec = (ms: number | undefined): string => (ms === undefined ? '—' : (ms / 1000).toFixed(ms < 10_000 ? 2 : 1));
const pair = (p: Percentiles | undefined): string => (p ? `${sec(p.p50)} / ${sec(p.p99)}` : '—');

/** Where module init figures come from: the cold start benchmark's range, or the model's default. */
const initRange = (model: LatencyModel): string => {
  const measured = Object.values(model.initMs);
  return measured.length > 0
    ? `docs/bench/cold-start.md, ${Math.min(...measured)}–${Math.max(...measured)} ms`
    : `${model.defaultInitMs} ms`;
};

/** The table the README's link and docs/detection.md point at. */
export const detectionTable = (
  rows: DetectionRow[],
  model: LatencyModel,
  o: Pick<DetectionBenchOptions, 'samples' | 'outageSamples' | 'seed'>,
): Table => ({
  headers: [
    'setting',
    'failures',
    'failure → detection p50 / p99 s',
    'failure → first priority route switched p50 / p99 s',
    'failure → all routes verified p50 / p99 s',
    'cold starts',
    'routes moved, one execution',
    'outages < downAfterMs failed over',
    'outages > 2 s not failed over',
  ],
  rows: rows.map((r) => [
    r.setting
      ? `${r.label} (every ${r.setting.probe.intervalMs} ms, timeout ${r.setting.probe.timeoutMs} ms, ` +
        `down after ${r.setting.probe.downAfterMs} ms)`
      : r.label,
    String(r.samples),
    pair(r.detection),
    pair(r.firstPriority),
    pair(r.verified),
    r.coldStarts ? `${r.coldStarts.p50} (max ${r.coldStarts.max})` : '—',
    r.setting ? `${r.moved}/${r.samples}, ${r.single}/${r.samples}` : '—',
    r.shortFailovers
      ? `${r.shortFailovers.started} of ${r.shortFailovers.of} (up to ${r.shortFailovers.maxMs} ms)`
      : '—',
    r.longMissed ? `${r.longMissed.missed} of ${r.longMissed.of} (from ${r.longMissed.minMs} ms)` : '—',
  ]),
  notes: [
    'Each failure: router-a blackholed (hung) at a random instant; ' +
      'two probe locations at random phases (runProbeLocation, the real loop), ' +
      `rounds up to ${model.roundLatenessMs} ms late; ` +
      'the workflow run locally on its real handlers against the simulated VPC: ' +
      `${ESTATE.routeTables} route tables, ${ESTATE.routeTables * ESTATE.affectedPerTable} routes to move, ` +
      `${PRIORITY_TABLES} tables tagged ${PRIORITY_TAG.key}=${PRIORITY_TAG.value}; seed ${o.seed}; ` +
      'virtual clock (exact simulated time).',
    'detection: the StartExecution call (every live location agreed, the claim written); ' +
      'first priority route switched: the end of the first successful ReplaceRoute in a priority table; ' +
      'all routes verified: the end of VerifySwitch.',
    `latency model (docs/detection.md, "Latency model"): EC2 ${model.ec2Ms} ms per call; ` +
      `DynamoDB ${model.dynamoMs} ms; StartExecution ${model.startExecutionMs} ms, ` +
      `then ${model.firstStateMs} ms to the first state; ` +
      `each Task ${model.taskMs} ms (transition + warm invoke); ` +
      `a cold start ${model.coldEnvMs[0]}–${model.coldEnvMs[1]} ms of environment plus the function's module init ` +
      `(${initRange(model)}); ` +
      'cold: every invocation that finds no idle environment of its function starts one ' +
      '(Map iterations in parallel each need their own); ' +
      'as deployed: AcquireLease, ResolveTargets and FirstWrite have one warm environment each ' +
      '(the warm-up schedule), ' +
      'the guard armed the plan before the failure, so FirstWrite writes the priority routes; ' +
      'no plan armed: FirstWrite skips and the priority routes wait for PlanSwitch and the SwitchBatches Map.',
    `outage checks: ${o.outageSamples} outages of random length below downAfterMs and ` +
      `${o.outageSamples} between 2 and 3 s per setting, each at a random phase; ` +
      'counted when an execution was (or was not) started.',
    'baseline: the status-check alarm path for a kernel lockup ' +
      '(a hung routing daemon passes EC2 status checks: that path never sees it); ' +
      'checks every minute, alarm of 2 × 60 s periods, CloudWatch evaluating 0–60 s after the minute (assumption), ' +
      'then the same workflow, cold.',
  ],
});
