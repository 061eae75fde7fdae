import type { GroupStateStore } from '../../functions/domain/group-state';
import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { parseConfig, type FailoverConfig } from '../../functions/contract/config';
import { InMemoryWritePacer } from '../../functions/domain/pacer';
import { createTaskHandlers, type TaskDeps } from '../../cli/local/task-handlers';
import { runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair, type RouterPairScenario } from '../../cli/local/scenario';
import { type FaultSpec, SimulatedVpc } from '../../sim';

/**
 * Recorded executions for the CLI tests: the real workflow (statemachine/failover.asl.json with the real
 * handlers) runs against the simulated VPC, and its event log is converted into what Step Functions'
 * DescribeExecution and GetExecutionHistory return for a deployed state machine whose Tasks are Lambda
 * function ARNs: TaskStateEntered → LambdaFunctionScheduled/Started → LambdaFunctionSucceeded|Failed →
 * TaskStateExited, retries as a new LambdaFunctionScheduled whose previousEventId is the failure,
 * Map iterations as MapIterationStarted/Succeeded, events linked by previousEventId per thread.
 */

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:vpc-route-failover`;
export const GROUP = 'onprem-edge';

export interface RecordedExecution {
  name: string;
  arn: string;
  input: unknown;
  run: RunResult;
  describe: DescribeExecutionOutput;
  events: HistoryEvent[];
}

export interface Estate {
  sim: SimulatedVpc;
  scenario: RouterPairScenario;
  config: FailoverConfig;
  topicArn: string;
  pacer: InMemoryWritePacer;
}

/**
 * A fresh simulated VPC with the router pair of cli/local/scenario.ts (group onprem-edge,
 * router-a preferred and active).
 */
export const buildEstate = (opts: { seed?: number; routeTables?: number } = {}): Estate => {
  const sim = new SimulatedVpc({ seed: opts.seed ?? 5 });
  const scenario = buildRouterPair(sim, { routeTables: opts.routeTables ?? 2, groupName: GROUP });
  // One account: every execution recorded on the estate draws ReplaceRoute from the same pacer.
  return {
    sim,
    scenario,
    config: parseConfig(scenario.config),
    topicArn: sim.createTopic('route-failover'),
    pacer: new InMemoryWritePacer(),
  };
};

/** Runs the real workflow once against the estate and records it as Step Functions would show it. */
export const recordExecution = async (
  estate: Estate,
  input: unknown,
  opts: { name: string; startAt: Date; faults?: FaultSpec[]; deps?: Partial<TaskDeps>; store?: GroupStateStore },
): Promise<RecordedExecution> => {
  for (const f of opts.faults ?? []) estate.sim.injectFault(f);
  const run = await runExecution({
    handlers: createTaskHandlers({
      ec2: estate.sim.ec2(),
      sns: estate.sim.sns(),
      config: estate.config,
      topicArn: estate.topicArn,
      pacers: { ReplaceRoute: estate.pacer },
      sleep: async () => undefined,
      recheckDelaysMs: [0, 0],
      ...opts.deps,
      ...(opts.store ? { store: opts.store } : {}),
    }),
    input,
    executionName: opts.name,
    retryIntervalMs: 0,
  });
  estate.sim.clearFaults();
  const events = toSfnHistory(run, opts.startAt);
  const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:vpc-route-failover:${opts.name}`;
  const last = events[events.length - 1];
  const describe: DescribeExecutionOutput = {
    executionArn: arn,
    stateMachineArn: STATE_MACHINE_ARN,
    name: opts.name,
    status: run.status,
    startDate: events[0].timestamp,
    stopDate: last.timestamp,
    input: JSON.stringify(input),
    inputDetails: { included: true },
    // A FAILED execution has no output: its audit record is only in the Notify state's output.
    output: run.status === 'SUCCEEDED' ? JSON.stringify(run.output) : undefined,
    error: run.error,
    cause: run.cause,
  };
  return { name: opts.name, arn, input, run, describe, events };
};

/** The local event log as GetExecutionHistory events (oldest first), timestamps shifted to start at `startAt`. */
export const toSfnHistory = (run: RunResult, startAt: Date): HistoryEvent[] => {
  const out: HistoryEvent[] = [];
  const last = new Map<string, number>();
  const caught = new Set<string>();
  const t0 = run.events[0]?.timestamp ?? 0;
  let lastTs = startAt.getTime();
  const lambdaArn = (state: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:vpc-route-failover-${state}`;

  const push = (
    ts: number,
    thread: string,
    event: Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>,
    prev?: number,
  ): number => {
    const id = out.length + 1;
    lastTs = Math.max(lastTs, startAt.getTime() + (ts - t0));
    out.push({
      id,
      previousEventId: prev ?? last.get(thread) ?? 0,
      timestamp: new Date(lastTs),
      ...event,
    } as HistoryEvent);
    last.set(thread, id);
    return id;
  };
  const json = (v: unknown) => JSON.stringify(v ?? null);
  // The local runner already reports a Lambda-shaped Cause (JSON); older shapes are wrapped here.
  const lambdaCause = (error: string, cause: unknown) =>
    typeof cause === 'string' && cause.startsWith('{"errorType"')
      ? cause
      : JSON.stringify({
          errorType: error,
          errorMessage: typeof cause === 'string' ? cause : ((cause as Error)?.message ?? String(cause)),
          trace: [],
        });

  for (const e of run.events) {
    const thread = e.index !== undefined ? `i${e.index}` : 'top';
    const name: string | undefined = e.state?.name;
    const type: string | undefined = e.state?.type;
    switch (e.type) {
      case 'ExecutionStarted':
        push(e.timestamp, 'top', {
          type: 'ExecutionStarted',
          executionStartedEventDetails: {
            input: json(e.input),
            roleArn: `arn:aws:iam::${ACCOUNT}:role/vpc-route-failover`,
          },
        });
        break;
      case 'StateEntered':
        if (type === 'Task') {
          push(e.timestamp, thread, {
            type: 'TaskStateEntered',
            stateEnteredEventDetails: { name, input: json(e.state.input) },
          });
          push(e.timestamp, thread, {
            type: 'LambdaFunctionScheduled',
            lambdaFunctionScheduledEventDetails: {
              resource: lambdaArn(name!),
              input: json(e.state.input),
              timeoutInSeconds: 30,
            },
          });
          push(e.timestamp, thread, { type: 'LambdaFunctionStarted' });
        } else if (type === 'Map') {
          push(e.timestamp, thread, {
            type: 'MapStateEntered',
            stateEnteredEventDetails: { name, input: json(e.state.input) },
          });
          push(e.timestamp, thread, {
            type: 'MapStateStarted',
            mapStateStartedEventDetails: { length: e.state.input?.plan?.batches?.length ?? 0 },
          });
        } else {
          push(e.timestamp, thread, {
            type: `${type}StateEntered` as HistoryEvent['type'],
            stateEnteredEventDetails: { name, input: json(e.state.input) },
          });
        }
        break;
      case 'StateFailed':
        if (type === 'Task')
          push(e.timestamp, thread, {
            type: 'LambdaFunctionFailed',
            lambdaFunctionFailedEventDetails: { error: e.Error, cause: lambdaCause(e.Error, e.Cause) },
          });
        break;
      case 'StateRetried':
        push(e.timestamp, thread, {
          type: 'LambdaFunctionScheduled',
          lambdaFunctionScheduledEventDetails: {
            resource: lambdaArn(name!),
            input: json(e.state.input),
            timeoutInSeconds: 30,
          },
        });
        push(e.timestamp, thread, { type: 'LambdaFunctionStarted' });
        break;
      case 'StateCaught':
        // Step Functions shows no success and no exit for a caught Task: the Catch's next state follows the failure.
        caught.add(thread);
        break;
      case 'StateExited':
        if (type === 'Task') {
          if (caught.delete(thread)) break;
          push(e.timestamp, thread, {
            type: 'LambdaFunctionSucceeded',
            lambdaFunctionSucceededEventDetails: { output: json(e.state.output) },
          });
          push(e.timestamp, thread, {
            type: 'TaskStateExited',
            stateExitedEventDetails: { name, output: json(e.state.output) },
          });
        } else if (type === 'Map') {
          push(e.timestamp, thread, { type: 'MapStateSucceeded' });
          push(e.timestamp, thread, {
            type: 'MapStateExited',
            stateExitedEventDetails: { name, output: json(e.state.output) },
          });
        } else if (type !== 'Fail') {
          push(e.timestamp, thread, {
            type: `${type}StateExited` as HistoryEvent['type'],
            stateExitedEventDetails: { name, output: json(e.state.output) },
          });
        }
        break;
      case 'MapIterationStarted':
        push(
          e.timestamp,
          `i${e.index}`,
          {
            type: 'MapIterationStarted',
            mapIterationStartedEventDetails: { name: e.parentState?.name, index: e.index },
          },
          last.get('top'),
        );
        break;
      case 'MapIterationSucceeded':
        push(e.timestamp, `i${e.index}`, {
          type: 'MapIterationSucceeded',
          mapIterationSucceededEventDetails: { name: e.parentState?.name, index: e.index },
        });
        last.set('top', out.length);
        break;
      case 'MapIterationFailed':
        push(e.timestamp, `i${e.index}`, {
          type: 'MapIterationFailed',
          mapIterationFailedEventDetails: { name: e.parentState?.name, index: e.index },
        });
        last.set('top', out.length);
        break;
      case 'ExecutionSucceeded':
        push(e.timestamp, 'top', {
          type: 'ExecutionSucceeded',
          executionSucceededEventDetails: { output: json(e.output) },
        });
        break;
      case 'ExecutionFailed':
        push(e.timestamp, 'top', {
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: e.Error, cause: typeof e.Cause === 'string' ? e.Cause : json(e.Cause) },
        });
        break;
      default:
        break;
    }
  }
  return out;
};
