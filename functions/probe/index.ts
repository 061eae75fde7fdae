import { setTimeout as sleep } from 'node:timers/promises';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { PROBE_SFN_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import type { DetectorState } from './detector';
import { minuteEnd, type ProbedGroup, probedGroup, runProbeMinute, stepFunctionsStarter } from './probe';
import { tcpProbe } from './tcp-probe';

// The function runs in the group's subnets: Step Functions is reached through an interface endpoint or a NAT.
// Short connection and request timeouts (that really abort the call) keep a missing or hung endpoint from
// stalling the probe loop for long.
const sfn = new SFNClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(PROBE_SFN_TIMEOUTS),
});

let group: ProbedGroup | undefined;
// The detector's counts survive from one invocation to the next while this execution environment stays
// warm; the function has a reserved concurrency of 1, so invocations never overlap and reuse it.
let carried: DetectorState | undefined;

// EMF and log lines go to stdout as bare JSON lines (console.log would prefix them, and CloudWatch only
// extracts metrics from a line that is JSON).
const writeLine = (entry: object): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

/** Leaves this much of the Lambda timeout unused, whatever the minute boundary says. */
const SAFETY_MS = 5000;

export const handler = async (_event: unknown, context?: { getRemainingTimeInMillis?: () => number }) => {
  group ??= probedGroup(
    parseConfigJson(requireEnv(process.env, 'PROBE_CONFIG'), 'PROBE_CONFIG'),
    requireEnv(process.env, 'GROUP'),
  );
  const stateMachineArn = requireEnv(process.env, 'STATE_MACHINE_ARN');
  const start = Date.now();
  const remaining = context?.getRemainingTimeInMillis?.();
  const endAt = Math.min(minuteEnd(start), remaining === undefined ? Infinity : start + remaining - SAFETY_MS);
  const result = await runProbeMinute(
    {
      now: Date.now,
      sleep: (ms) => sleep(ms),
      probe: (address, port, timeoutMs) => tcpProbe(address, port, timeoutMs),
      startExecution: stepFunctionsStarter(sfn, stateMachineArn),
      emitMetric: writeLine,
      log: writeLine,
    },
    { group, carry: carried, endAt },
  );
  carried = result.state;
  return {
    group: group.name,
    rounds: result.rounds,
    started: result.started,
    alerts: result.alerts.length,
    errors: result.errors,
  };
};
