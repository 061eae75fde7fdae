import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  Code,
  Function as LambdaFunction,
  type FunctionProps,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag';

const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * Where the packed package keeps each function already bundled (`<folder>/index.mjs`, written by
 * infra/package/build.ts with FUNCTION_BUNDLING): from dist/infra/constructs/ that is dist/lambda/. In the repository
 * (these sources run by tsx or ts-jest) the folder does not exist, and each function is bundled from its
 * sources at synth, so a stale bundle can never be deployed from a clone.
 */
export const PREBUNDLED_DIR = path.join(__dirname, '..', '..', 'lambda');

/** The prebundled code of `folder`, or undefined when the function is to be bundled from its sources. */
export const prebundledCode = (folder: string): string | undefined => {
  const dir = path.join(PREBUNDLED_DIR, folder);
  return existsSync(path.join(dir, 'index.mjs')) ? dir : undefined;
};

/** Lambda's quota: all environment variables of a function together (keys and values) may not exceed 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** Bytes counted against the Lambda environment quota for `env` (UTF-8 keys and values). */
export const environmentSize = (env: Record<string, string>): number =>
  Object.entries(env).reduce(
    // A token (e.g. a topic ARN) is not known at synth time: count it at the longest ARN we expect.
    (n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + (Token.isUnresolved(v) ? 256 : Buffer.byteLength(v, 'utf8')),
    0,
  );

/**
 * How every Task function is bundled (esbuild, through NodejsFunction). Exported so bench/cold-start.ts builds
 * its bundles exactly the same way.
 */
export const FUNCTION_BUNDLING: BundlingOptions = {
  // Local esbuild only: synth must work offline and without Docker.
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  // ESM entry points of the SDK v3 packages tree-shake far better (about half the EC2 client bundle).
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  // Error class names are what ASL Retry/Catch ErrorEquals match; minification must not rename them.
  keepNames: true,
  target: 'node24',
  // Some CommonJS dependencies call require() at run time; ESM has none, so provide one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // Bundle the SDK v3 versions pinned in package-lock.json instead of the runtime's copy: the code runs
  // against the exact client it was tested with, and a runtime SDK update cannot change its behaviour.
  externalModules: [],
  // esbuild's per-file size table and timing on every synth and bundling test are for whoever tunes the
  // bundles (npm run bench), not for the person synthesizing; warnings and errors still print.
  logLevel: LogLevel.WARNING,
};

export interface FailoverFunctionProps {
  /** Folder under functions/ holding index.ts that exports `handler`, e.g. 'list-routes'. */
  readonly folder: string;
  readonly description: string;
  /** Keep it below the ASL Task's TimeoutSeconds so the function reports its own error first. */
  readonly timeout?: Duration;
  /** Added to the defaults (NODE_OPTIONS). */
  readonly environment?: Record<string, string>;
  /** Only for a function that must run inside a VPC (the health probe); the Task functions do not. */
  readonly vpc?: IVpc;
  readonly vpcSubnets?: SubnetSelection;
  readonly securityGroups?: ISecurityGroup[];
  /** Reserved concurrent executions (infra/concurrency.ts sizes them); none when absent. */
  readonly reservedConcurrentExecutions?: number;
  /** MiB; 256 when absent. */
  readonly memorySize?: number;
}

/**
 * The one place that fixes how every Task function of the workflow is built and run, so they cannot drift
 * apart: Node 24 (the latest Lambda Node.js runtime) on arm64, X-Ray, a retained log group with retention, its
 * own IAM role with no managed policy, and an ESM esbuild bundle that keeps class names (the state machine's
 * Retry/Catch match errors by name).
 */
export class FailoverFunction extends Construct {
  /** A NodejsFunction when bundled from the sources, a Function of the prebundled code in the packed package. */
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  /** This function's own role: only what the construct grants below plus what the stack adds. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: FailoverFunctionProps) {
    super(scope, id);

    const environment: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    const size = environmentSize(environment);
    if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      throw new Error(
        `${this.node.path}: environment variables take ${size} bytes; Lambda allows ` +
          `${LAMBDA_ENVIRONMENT_LIMIT_BYTES} in total per function`,
      );
    }

    // Explicit, retained and with retention: these logs are part of the audit trail and must outlive the stack.
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An explicit role instead of CDK's default, which attaches the AWS managed AWSLambdaBasicExecutionRole
    // (logs:CreateLogGroup/CreateLogStream/PutLogEvents on every log group of the account; AwsSolutions-IAM4).
    // This one may write to its own log group only; the log group exists, so no CreateLogGroup.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `vpc-route-failover ${props.folder}: execution role of this one function`,
    });
    // The Arn attribute of AWS::Logs::LogGroup ends in ':*', which covers the group's log streams.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    if (props.vpc) {
      // CDK attaches AWSLambdaVPCAccessExecutionRole only to roles it creates itself; these are its actions.
      this.allowOnAllResources(
        'VpcAccess',
        [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        'Lambda creates, describes and deletes the network ' +
          'interfaces of a function in a VPC with its execution role. ' +
          'These are exactly the actions of the AWS managed AWSLambdaVPCAccessExecutionRole, written out to avoid a ' +
          'managed policy (AwsSolutions-IAM4). The Describe* actions support no resource-level permissions, and the ' +
          'interfaces Lambda creates, assigns addresses to and deletes do not exist, so have no ARN, at deploy time; ' +
          'the managed policy grants the same actions on * too.',
      );
    }

    const settings: Omit<FunctionProps, 'code' | 'handler'> = {
      description: props.description,
      // The latest Node.js runtime CDK knows (AwsSolutions-L1); handlers are async, as Node 24 requires.
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      role: this.role,
      timeout: props.timeout ?? Duration.seconds(30),
      // Tracing is switched on below, on the CloudFormation resource: `tracing: Tracing.ACTIVE` would put the X-Ray
      // statement (Resource '*') into the role's default policy, where its cdk-nag acknowledgement would also let
      // any later wildcard statement of that policy through.
      logGroup: this.logGroup,
      environment,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    };
    const prebundled = prebundledCode(props.folder);
    this.function = prebundled
      ? // The same bundle NodejsFunction makes (index.mjs, exporting `handler`), made when the package was built:
        // a consumer of the package needs neither esbuild nor the sources.
        new LambdaFunction(this, 'Function', {
          ...settings,
          code: Code.fromAsset(prebundled),
          handler: 'index.handler',
        })
      : new NodejsFunction(this, 'Function', {
          ...settings,
          entry: path.join(PROJECT_ROOT, 'functions', props.folder, 'index.ts'),
          handler: 'handler',
          depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
          projectRoot: PROJECT_ROOT,
          bundling: FUNCTION_BUNDLING,
        });
    (this.function.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };

    // X-Ray tracing: the two write actions, in a policy of their own that carries the acknowledgement. The role's
    // default policy, where every later grant lands, then has no acknowledgement at all: a wildcard added there
    // fails synth.
    this.allowOnAllResources(
      'XRay',
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      'X-Ray tracing of the function: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions (the service authorization reference lists no resource type for them), so Resource must be *. ' +
        'They only write trace data.',
    );
  }

  /**
   * Grants `actions` on Resource '*' in a policy of their own (`id`) that carries the cdk-nag acknowledgement
   * `reason`. Only for actions that support no resource-level permissions, such as EC2 Describe* calls.
   * The policy is a child of the role, so the function resource depends on it and never runs without it.
   */
  allowOnAllResources(id: string, actions: string[], reason: string): Policy {
    const policy = new Policy(this.role, id, {
      roles: [this.role],
      statements: [new PolicyStatement({ actions, resources: ['*'] })],
    });
    acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]', reason);
    return policy;
  }
}
