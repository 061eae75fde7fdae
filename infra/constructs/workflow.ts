import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FailoverConfig } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { checkWriteBudget } from '../../functions/domain/write-budget';
import { planReservedConcurrency } from '../concurrency';
import { guardFunctionConfig, workflowFunctionConfig } from '../function-config';
import { groupsWithoutLogicalId } from '../logical-ids';
import { stateMachineLogGroupName } from '../names';
import { acknowledgeFinding } from '../nag';
import { FailoverFunction, LAMBDA_ENVIRONMENT_LIMIT_BYTES, environmentSize } from './failover-function';
import type { GroupState } from './group-state';
import type { Notifications } from './notifications';
import {
  TASK_FUNCTIONS,
  type TaskContext,
  type TaskEnvContext,
  type TaskFunctionSpec,
  type TaskName,
} from './task-functions';

/** The one definition of the workflow, shared with the local runner (paths from __dirname). */
export const ASL_PATH = path.join(__dirname, '..', '..', 'statemachine', 'failover.asl.json');

export interface FailoverWorkflowProps {
  /** Validated with parseConfig. */
  readonly config: FailoverConfig;
  readonly groupState: GroupState;
  readonly notifications: Notifications;
}

/**
 * The failover state machine, built from statemachine/failover.asl.json, and its Task functions (the rows of
 * task-functions.ts, each with a role of its own and only the IAM its code needs); the state machine's own role
 * and log group. Refuses, by a named ConfigError, a config too large for a function's environment or whose
 * batches could wait longer for their pacer turn than a function may run (WriteBudgetError).
 */
export class FailoverWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  /** Fixed (`<stack>-failover`): acquire-lease's IAM names its executions. */
  readonly stateMachineName: string;
  readonly stateMachineRole: Role;
  readonly logGroup: LogGroup;
  /** FAILOVER_CONFIG of the workflow functions (function-config.ts: no e-mail addresses, no probe settings). */
  readonly groupsJson: string;
  /** Every Task function by its state's name (the keys of TASK_FUNCTIONS). */
  readonly tasks: Record<TaskName, FailoverFunction>;
  /** The same functions as IFunction, by state name. */
  readonly functions: Record<TaskName, IFunction>;

  constructor(scope: Construct, id: string, props: FailoverWorkflowProps) {
    super(scope, id);
    groupsWithoutLogicalId(this);
    const stack = Stack.of(this);
    const { config, groupState, notifications } = props;
    this.stateMachineName = `${stack.stackName}-failover`;
    if (this.stateMachineName.length > 80) {
      throw new ConfigError(
        `stack name ${stack.stackName} is too long: the state machine ` +
          `${this.stateMachineName} may have 80 characters at most`,
      );
    }
    const envCtx: TaskEnvContext = {
      stack,
      config,
      groupState,
      notifications,
      // Only what the workflow functions read (function-config.ts): no e-mail addresses, no probe settings.
      groupsJson: JSON.stringify(workflowFunctionConfig(config)),
      stateMachineName: this.stateMachineName,
    };
    checkEnvironmentSizes(envCtx);
    this.groupsJson = envCtx.groupsJson;
    const ctx: TaskContext = {
      ...envCtx,
      // A config whose batches could wait for their pacer turn longer than a function or the execution may run
      // is refused here, by name (WriteBudgetError), rather than starving batches at the first big failover.
      writeBudget: checkWriteBudget(config),
      // Reserved concurrency sized from the groups (concurrency.ts); throws when it cannot fit the account.
      concurrency: planReservedConcurrency(config),
    };

    const rows = Object.entries(TASK_FUNCTIONS) as [TaskName, TaskFunctionSpec][];
    const tasks = {} as Record<TaskName, FailoverFunction>;
    for (const [name, row] of rows) {
      tasks[name] = new FailoverFunction(this, name, {
        reservedConcurrentExecutions: row.reservation === 'none' ? undefined : ctx.concurrency?.[row.reservation],
        folder: row.folder,
        description: row.description,
        timeout: row.timeout(ctx),
        environment: row.environment?.(ctx),
      });
    }
    for (const [name, row] of rows) row.grant(tasks[name], ctx);
    this.tasks = tasks;
    const functions = {} as Record<TaskName, IFunction>;
    for (const [name] of rows) functions[name] = tasks[name].function;
    this.functions = functions;

    this.logGroup = new LogGroup(this, 'StateMachineLogs', {
      // Under /aws/vendedlogs/ and unique per deployment (names.ts): retained, so a fixed name would block the
      // next deployment after `cdk destroy`.
      logGroupName: stateMachineLogGroupName(stack, this.stateMachineName),
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A role of our own, handed to the state machine without policy updates: what CDK would add for logging and
    // tracing (Resource '*') goes into policies of its own below, each acknowledged for exactly that, so the
    // invoke policy carries no acknowledgement a later wildcard could hide behind.
    this.stateMachineRole = new Role(this, 'StateMachineRole', {
      assumedBy: new ServicePrincipal('states.amazonaws.com', {
        conditions: {
          ArnEquals: {
            'aws:SourceArn': stack.formatArn({
              service: 'states',
              resource: 'stateMachine',
              resourceName: this.stateMachineName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
      description: 'vpc-route-failover: execution role of the failover state machine',
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      // Fixed, so acquire-lease's DescribeExecution permission can name its executions.
      stateMachineName: this.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      role: this.stateMachineRole.withoutPolicyUpdates(),
      // The one definition, shared with the local runner; inline so tests can read it from the template.
      definitionBody: DefinitionBody.fromString(readFileSync(ASL_PATH, 'utf8')),
      definitionSubstitutions: Object.fromEntries(
        rows.map(([name]) => [`${name}FunctionArn`, this.functions[name].functionArn]),
      ),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // Step Functions checks the logging permissions when it creates the state machine: the policies first.
    this.stateMachine.node.addDependency(this.stateMachineRole);
    this.grantStateMachine();
  }

  /**
   * CDK cannot see the Tasks inside a string definition, so it grants nothing by itself. Explicit rather than
   * fn.grantInvoke(), which also grants '<arn>:*' (every version and alias): the ASL invokes unqualified ARNs.
   * Logging and tracing in policies of their own, each acknowledged for exactly that.
   */
  private grantStateMachine(): void {
    const role = this.stateMachineRole;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(this.functions).map((fn) => fn.functionArn),
      }),
    );
    const anyResource = (id: string, actions: string[], reason: string) =>
      acknowledgeFinding(
        new Policy(role, id, { roles: [role], statements: [new PolicyStatement({ actions, resources: ['*'] })] }),
        'AwsSolutions-IAM5[Resource::*]',
        reason,
      );
    anyResource(
      'LogDelivery',
      [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      'Step Functions logging (level ALL) to CloudWatch Logs goes through vended log delivery: ' +
        'logs:CreateLogDelivery, ' +
        'GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, ' +
        'DescribeResourcePolicies and DescribeLogGroups support no resource-level permissions, so Step Functions ' +
        'documents them on Resource *. They manage log delivery only and read no log data.',
    );
    anyResource(
      'XRay',
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      'X-Ray tracing of the state machine: xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and ' +
        'GetSamplingTargets support no resource-level permissions (the service authorization reference lists no ' +
        'resource type for them), so Resource must be *. They write trace data and read sampling rules only.',
    );
  }
}

/**
 * The config reaches several functions in FAILOVER_CONFIG, and the route guard's (constructs/guard.ts) holds it
 * too, with the table and the topic ARN. A config that would push one of them over Lambda's 4 KB for all
 * environment variables is refused by name, with what to do (a token counts 256 bytes).
 */
const checkEnvironmentSizes = (ctx: TaskEnvContext): void => {
  const guardJson = JSON.stringify(guardFunctionConfig(ctx.config));
  const guardEnv = {
    FAILOVER_CONFIG: guardJson,
    GROUP_STATE_TABLE: ctx.groupState.table.tableName,
    TOPIC_ARN: ctx.notifications.topic.topicArn,
    // The state machine is built later: any token stands for its ARN here.
    ...(ctx.config.guard.converge ? { STATE_MACHINE_ARN: ctx.notifications.topic.topicArn } : {}),
  };
  const candidates: [string, Record<string, string>, string][] = [
    ...Object.values(TASK_FUNCTIONS as Record<string, TaskFunctionSpec>)
      .map(
        (row) => [row.folder, row.environment?.(ctx) ?? {}, ctx.groupsJson] as [string, Record<string, string>, string],
      )
      .filter(([, env]) => env.FAILOVER_CONFIG !== undefined),
    ['guard', guardEnv, guardJson],
  ];
  for (const [fn, env, json] of candidates) {
    const size = environmentSize({ NODE_OPTIONS: '--enable-source-maps', ...env });
    if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      throw new ConfigError(
        `cdk.json context "failover" is too large: ${fn} receives it in FAILOVER_CONFIG ` +
          `(${Buffer.byteLength(json, 'utf8')} bytes as JSON) and its environment would take ${size} bytes, ` +
          `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit for all environment variables of a function. ` +
          `Shorten names, drop unused groups, or split the groups across several stacks.`,
      );
    }
  }
};
