import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { createEc2Client, createSnsClient } from '../aws/clients';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { GuardPassError } from '../contract/errors';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { DynamoDbGuardStore } from '../aws/dynamodb-guard-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions, SFN_TIMEOUTS } from '../aws/http-timeouts';
import { stderrLog } from '../contract/lambda-errors';
import { runGuard } from './guard';
import { stepFunctionsStarter } from './start-execution';
import { guardTriggerOf } from './trigger';

const ec2 = createEc2Client();
const sns = createSnsClient();
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});
const sfn = new SFNClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(SFN_TIMEOUTS),
});
let config: FailoverConfig | undefined;

// EMF lines go to stdout as bare JSON lines (CloudWatch extracts metrics only from a line that is JSON).
const writeLine = (entry: object): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

/**
 * Invoked by the stack's schedule ({"source": "vpc-route-failover.guard"}), by CloudTrail route-table events, and
 * by `route-failover guard`.
 */
export const handler = async (event: unknown) => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  const table = requireEnv(process.env, 'GROUP_STATE_TABLE');
  const topicArn = requireEnv(process.env, 'TOPIC_ARN');
  // Only present when convergence is configured: without it the function has no states:StartExecution either.
  const stateMachineArn = process.env.STATE_MACHINE_ARN;
  const t = await guardTriggerOf(event, { ec2, config });
  const store = new DynamoDbGroupStateStore(ddb, table);
  const report = await runGuard(
    { trigger: t.trigger, groups: t.groups, ...(t.claim ? { claim: t.claim } : {}) },
    {
      ec2,
      config,
      inventory: store,
      store: new DynamoDbGuardStore(ddb, table),
      publish: async (n) => {
        await sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: n.subject,
            Message: n.message,
            MessageAttributes: {
              group: { DataType: 'String', StringValue: n.group },
              outcome: { DataType: 'String', StringValue: `guard-${n.change}` },
              severity: { DataType: 'String', StringValue: n.change === 'cleared' ? 'info' : 'warning' },
            },
          }),
        );
      },
      emitMetric: writeLine,
      ...(stateMachineArn ? { startExecution: stepFunctionsStarter(sfn, stateMachineArn) } : {}),
    },
  );
  stderrLog({
    guard: {
      trigger: t.trigger,
      why: t.why,
      findings: report.findings,
      groups: report.groups.map((g) => ({ group: g.group, total: g.total, change: g.change, error: g.error })),
    },
  });
  // A group left unread, unstored or unnotified makes the invocation fail, so the function's Errors alarm fires.
  if (!report.ok) {
    const failed = report.groups.filter((g) => g.error).map((g) => `${g.group}: ${g.error}`);
    throw new GuardPassError(`guard pass failed for ${failed.length} group(s): ${failed.join('; ')}`.slice(0, 1000));
  }
  return report;
};
