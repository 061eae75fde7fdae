import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { PROBE_DYNAMODB_TIMEOUTS, PROBE_SFN_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { HARD_RUN_MS } from './hand-over';
import { runProbeLocation } from './probe';
import { type ProbedGroup, probedGroup } from './probed-group';
import { stepFunctionsStarter } from './start-execution';
import { dynamoProbeState } from './probe-state';
import { tcpProbe } from './tcp-probe';

// The function runs in one of the group's subnets: Step Functions is reached through an interface endpoint or a
// NAT, DynamoDB through its gateway endpoint or a NAT. Short connection and request timeouts (that really abort
// the call) keep a missing or hung endpoint from stalling the probe loop for long.
const sfn = new SFNClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(PROBE_SFN_TIMEOUTS),
});
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 2,
  requestHandler: requestHandlerOptions(PROBE_DYNAMODB_TIMEOUTS),
});

let group: ProbedGroup | undefined;

// EMF and log lines go to stdout as bare JSON lines (console.log would prefix them, and CloudWatch only
// extracts metrics from a line that is JSON).
const writeLine = (entry: object): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

/** Leaves this much of the Lambda timeout unused, whatever the hard end says. */
const SAFETY_MS = 5000;

export const handler = async (_event: unknown, context?: { getRemainingTimeInMillis?: () => number }) => {
  group ??= probedGroup(
    parseConfigJson(requireEnv(process.env, 'PROBE_CONFIG'), 'PROBE_CONFIG'),
    requireEnv(process.env, 'GROUP'),
  );
  const stateMachineArn = requireEnv(process.env, 'STATE_MACHINE_ARN');
  const location = requireEnv(process.env, 'PROBE_LOCATION');
  const state = dynamoProbeState(ddb, requireEnv(process.env, 'GROUP_STATE_TABLE'));
  const start = Date.now();
  const remaining = context?.getRemainingTimeInMillis?.();
  const hardEndAt = Math.min(start + HARD_RUN_MS, remaining === undefined ? Infinity : start + remaining - SAFETY_MS);
  const result = await runProbeLocation(
    {
      now: Date.now,
      sleep: (ms) => sleep(ms),
      probe: (address, port, timeoutMs) => tcpProbe(address, port, timeoutMs),
      startExecution: stepFunctionsStarter(sfn, stateMachineArn),
      state,
      emitMetric: writeLine,
      log: writeLine,
    },
    { group, location, hardEndAt },
  );
  return {
    group: group.name,
    location,
    rounds: result.rounds,
    stopped: result.stopped,
    started: result.started,
    alerts: result.alerts.length,
    errors: result.errors,
  };
};
