import * as path from 'path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** Lambda's quota: all environment variables of a function together (keys and values) may not exceed 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** Bytes counted against the Lambda environment quota for `env` (UTF-8 keys and values). */
export const environmentSize = (env: Record<string, string>): number =>
  Object.entries(env).reduce(
    // A token (e.g. a topic ARN) is not known at synth time: count it at the longest ARN we expect.
    (n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + (Token.isUnresolved(v) ? 256 : Buffer.byteLength(v, 'utf8')),
    0,
  );

export interface FailoverFunctionProps {
  /** Folder under functions/ holding index.ts that exports `handler`, e.g. 'list-routes'. */
  readonly folder: string;
  readonly description: string;
  /** Keep it below the ASL Task's TimeoutSeconds so the function reports its own error first. */
  readonly timeout?: Duration;
  /** Added to the defaults (NODE_OPTIONS). */
  readonly environment?: Record<string, string>;
}

/**
 * The one place that fixes how every Task function of the workflow is built and run, so the five cannot drift
 * apart: Node 22 on arm64, X-Ray, a retained log group with retention, and an ESM esbuild bundle that keeps
 * class names (the state machine's Retry/Catch match errors by name).
 */
export class FailoverFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: FailoverFunctionProps) {
    super(scope, id);

    const environment: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    const size = environmentSize(environment);
    if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      throw new Error(
        `${this.node.path}: environment variables take ${size} bytes; Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} in total per function`,
      );
    }

    // Explicit, retained and with retention: these logs are part of the audit trail and must outlive the stack.
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'functions', props.folder, 'index.ts'),
      handler: 'handler',
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      projectRoot: PROJECT_ROOT,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      environment,
      bundling: {
        // Local esbuild only: synth must work offline and without Docker.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        // ESM entry points of the SDK v3 packages tree-shake far better (about half the EC2 client bundle).
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Error class names are what ASL Retry/Catch ErrorEquals match; minification must not rename them.
        keepNames: true,
        target: 'node22',
        // Some CommonJS dependencies call require() at run time; ESM has none, so provide one.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // Bundle the SDK v3 versions pinned in package-lock.json instead of the runtime's copy: the code runs
        // against the exact client it was tested with, and a runtime SDK update cannot change its behaviour.
        externalModules: [],
      },
    });
  }
}
