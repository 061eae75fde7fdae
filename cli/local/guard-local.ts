import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { FailoverConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore, type GroupStateStore } from '../../functions/domain/group-state';
import { InMemoryGuardStore, type GuardStore } from '../../functions/domain/guard-state';
import { DynamoDbGuardStore } from '../../functions/aws/dynamodb-guard-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../../functions/aws/http-timeouts';
import { createTaskHandlers, type TaskDeps } from './task-handlers';
import type { ExecutionStarter } from '../../functions/guard/converge';
import { runGuard, type GuardReport } from '../../functions/guard/guard';
import { runExecution } from './local-runner';
import { ensureStateTable } from './state-table';

/**
 * `npm run -s local -- --config F --guard [--converge]`: one guard pass (functions/guard) against the simulated
 * VPC or any EC2-compatible endpoint, with the handlers the deployed function runs. The report goes to stdout
 * as one JSON document; the exit code is 1 while a finding stands (or a group could not be judged), else 0.
 *
 * --converge starts the workflow as the deployed guard would (a switchover to the active member, through the
 * lease, the hold and the health gate), run in-process on the same ASL, at once: the operator's command is the
 * decision, so the grace period does not apply. A second pass then reports what stands after it.
 */

export interface GuardLocalDeps {
  ec2: EC2Client;
  sns: SNSClient;
  config: FailoverConfig;
  /** Where notifications go; none are published without it. */
  topicArn?: string;
  /** Keep the group state (and so the finding set between runs) in this DynamoDB table at the endpoint. */
  stateTable?: string;
  region: string;
  log: (line: string) => void;
  /** The rest of the workflow's dependencies (alarms, stack name, execution check). */
  taskDeps?: Partial<TaskDeps>;
}

export interface GuardLocalResult {
  report: GuardReport;
  /** The pass after convergence, when an execution ran. */
  after?: GuardReport;
  executions: Array<{ name: string; status: string; auditRecord: unknown }>;
  exitCode: number;
}

export const runGuardLocal = async (deps: GuardLocalDeps, opts: { converge: boolean }): Promise<GuardLocalResult> => {
  let store: GroupStateStore;
  let guardStore: GuardStore;
  if (deps.stateTable) {
    const ddb = new DynamoDBClient({
      retryMode: 'standard',
      maxAttempts: 3,
      requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
    });
    store = await ensureStateTable(ddb, deps.stateTable, deps.log);
    guardStore = new DynamoDbGuardStore(ddb, deps.stateTable);
  } else {
    const memory = new InMemoryGroupStateStore();
    store = memory;
    guardStore = new InMemoryGuardStore(memory);
    deps.log(
      'group state in memory for this run only: every run is a ' +
        'first pass (--state-table keeps the finding set between runs)',
    );
  }
  const executions: GuardLocalResult['executions'] = [];
  const startExecution: ExecutionStarter = async ({ name, input }) => {
    deps.log(`converging: ${input.action} of ${input.group} to ${input.to} as execution ${name}`);
    const handlers = createTaskHandlers({
      ec2: deps.ec2,
      sns: deps.sns,
      config: deps.config,
      topicArn: deps.topicArn ?? '',
      store,
      ...deps.taskDeps,
    } as TaskDeps);
    const r = await runExecution({ handlers, input, region: deps.region, executionName: name, log: deps.log });
    executions.push({ name, status: r.status, auditRecord: r.output ?? r.auditRecord ?? null });
    // The audit record is in `executions` of the result, once.
    return { status: 'started', executionArn: r.executionArn, executionStatus: r.status };
  };
  const publish = deps.topicArn
    ? async (n: { subject: string; message: string }) => {
        await deps.sns.send(new PublishCommand({ TopicArn: deps.topicArn, Subject: n.subject, Message: n.message }));
      }
    : undefined;
  const guardDeps = {
    ec2: deps.ec2,
    config: deps.config,
    inventory: store,
    store: guardStore,
    ...(publish ? { publish } : {}),
    startExecution,
  };
  const report = await runGuard(
    { trigger: 'local', converge: opts.converge, ...(opts.converge ? { graceSeconds: 0 } : {}) },
    guardDeps,
  );
  const after =
    executions.length > 0
      ? await runGuard({ trigger: 'local (after convergence)', converge: false }, guardDeps)
      : undefined;
  const final = after ?? report;
  return { report, ...(after ? { after } : {}), executions, exitCode: final.findings > 0 || !final.ok ? 1 : 0 };
};
