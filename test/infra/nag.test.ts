import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { FailoverStack } from '../../infra/failover-stack';
import { TASK_FUNCTIONS } from '../../infra/constructs/task-functions';

const TASKS = Object.keys(TASK_FUNCTIONS);
import { acknowledgeFinding } from '../../infra/nag';
import { PROJECT_ROOT, createApp, exampleConfig, synth } from './synth';

/** Every config shape the stack knows: scopes by VPC, IDs and tag, a probe in a VPC, emails, alarms off. */
const configs = (): Record<string, FailoverConfigInput> => {
  const withEverything = exampleConfig();
  withEverything.groups[0].routeTables = { ids: ['rtb-0123456789abcdef0'] };
  withEverything.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] };
  withEverything.groups[0].members[0].probeAddress = '10.0.1.10';
  withEverything.groups[0].members[1].probeAddress = '10.0.2.10';
  withEverything.groups.push({
    name: 'dmz',
    vpcId: 'vpc-0fedcba9876543210',
    members: [
      { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
      { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
    ],
    routeTables: { tag: { key: 'failover-group', value: 'dmz' } },
    statusCheckAlarm: { enabled: false },
  });
  withEverything.notifications = { emails: ['noc@example.com'] };
  const onlyIds = exampleConfig();
  onlyIds.groups[0].routeTables = { ids: ['rtb-0123456789abcdef0'] };
  // The associations mode: SwitchItems' writes and the twin reconcile, for a VPC scope and an ID scope.
  const associations = exampleConfig();
  associations.groups[0].switchMode = 'associations';
  associations.groups.push({
    name: 'dmz',
    vpcId: 'vpc-0fedcba9876543210',
    switchMode: 'associations',
    members: [
      { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
      { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
    ],
    routeTables: { ids: ['rtb-0123456789abcdef1'] },
  });
  return { example: exampleConfig(), withEverything, onlyIds, associations };
};

interface Finding {
  id: string;
  path: string;
}

/** AwsSolutions findings of `scope` as the pack reports them (warnings included); `raw` ignores acknowledgements. */
const findingsOf = (scope: IConstruct, { raw = false } = {}): Finding[] => {
  const pack = new AwsSolutionsChecks();
  // cdk-nag has no switch to ignore acknowledgements; its private check is replaced to see what they cover.
  if (raw) Object.assign(pack, { isAcknowledged: () => false });
  return pack
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath! })));
};

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

/**
 * Every acknowledgement of an AwsSolutions finding made under `scope`, where it was made. (CDK acknowledges
 * some of its own CloudFormation-Validate rules, e.g. for stack.availabilityZones; those are not ours.)
 */
const acknowledgementsOf = (scope: IConstruct): Acknowledgement[] =>
  scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>))
        .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason })),
    )
    .filter((ack) => ack.id.startsWith('AwsSolutions-'));

const covers = (ack: Acknowledgement, f: Finding) =>
  ack.id === f.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`));

describe('cdk-nag AwsSolutions checks', () => {
  it.each(Object.keys(configs()))(
    'find nothing unacknowledged in the %s stack, warnings included, and let it synthesize',
    (name) => {
      const { app, stack } = synth(configs()[name]); // throws on a finding: the checks run in synth()
      expect(findingsOf(app)).toEqual([]);
      expect(stack.node.path).toBe('Test');
    },
  );

  it('fail synth on an unacknowledged finding, naming the rule, the finding and the resource', () => {
    const app = createApp();
    const stack = new FailoverStack(app, 'Test', { config: parseConfig(exampleConfig()) });
    const role = stack.failover.workflow.tasks.Notify.role;
    new Policy(stack, 'TooBroad', {
      roles: [role],
      statements: [new PolicyStatement({ actions: ['s3:*'], resources: ['*'] })],
    });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('AwsSolutions-IAM5[Action::s3:*]');
    expect(message).toContain('AwsSolutions-IAM5[Resource::*]');
    expect(message).toContain('Test/TooBroad/Resource');
    // Only the bad policy: the acknowledgements of the stack's own policies do not reach it.
    expect(message).not.toMatch(/Test\/(?!TooBroad)[\w/-]+\/Resource/);
  });

  it.each([
    ['a function', 'Default/Workflow/Notify/Role', (s: FailoverStack): Role => s.failover.workflow.tasks.Notify.role],
    [
      'the state machine',
      'Default/Workflow/StateMachineRole',
      (s: FailoverStack): Role => s.failover.workflow.stateMachineRole,
    ],
  ])(
    'fail synth on a new wildcard resource in the default policy of %s: no old reason covers it',
    (_what, rolePath, roleOf) => {
      const app = createApp();
      const stack = new FailoverStack(app, 'Test', { config: parseConfig(exampleConfig()) });
      const role = roleOf(stack);
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:ListTopics'], resources: ['*'] }));
      let message = '';
      try {
        app.synth();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain('AwsSolutions-IAM5[Resource::*]');
      expect(message).toContain(`Test/${rolePath}/DefaultPolicy/Resource`);
    },
  );

  it('fail synth on a finding cdk-nag rates a warning (a table without point-in-time recovery)', () => {
    const app = createApp();
    const stack = new FailoverStack(app, 'Test', { config: parseConfig(exampleConfig()) });
    new Table(stack, 'Unprotected', { partitionKey: { name: 'id', type: AttributeType.STRING } });
    // Reported as ERROR although the pack rates the rule a warning (StrictAwsSolutionsChecks).
    expect(() => app.synth()).toThrow(
      new RegExp(
        `ERROR The DynamoDB table does not have Point-in-time ` +
          String.raw`Recovery[\s\S]*Test\/Unprotected\/Resource[\s\S]*AwsSolutions-DDB3`,
      ),
    );
  });

  it('acknowledge finding by finding, on the construct that owns it, each finding real and each with a reason', () => {
    for (const config of Object.values(configs())) {
      const { app } = synth(config);
      const acks = acknowledgementsOf(app);
      const raw = findingsOf(app, { raw: true });
      for (const ack of acks) {
        // Never on the stack or a whole function: on a policy, a role's default policy, or the queue.
        expect(ack.path).toMatch(
          new RegExp(
            String.raw`^Test\/(.+` +
              String.raw`\/(Default` +
              `Policy|Ec2` +
              String.raw`Describe|VpcAccess|XRay|LogDelivery)|Default\/Triggers\/TriggerDeadLetterQueue)$`,
          ),
        );
        // A default policy, where every later grant lands, carries no acknowledgement of a bare wildcard.
        if (ack.path.endsWith('/DefaultPolicy')) expect(ack.id).not.toBe('AwsSolutions-IAM5[Resource::*]');
        // One finding, not a whole rule, wherever the rule has findings (IAM5 does).
        if (ack.id.startsWith('AwsSolutions-IAM5')) expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
        expect(ack.reason.length).toBeGreaterThan(150);
        // Not stale: it covers a finding the pack really reports there.
        expect(raw.filter((f) => covers(ack, f))).not.toEqual([]);
      }
      // And nothing the pack reports is left uncovered.
      expect(raw.filter((f) => !acks.some((ack) => covers(ack, f)))).toEqual([]);
    }
  });

  it('acknowledge exactly these findings in the example stack', () => {
    const { app } = synth(exampleConfig());
    const raw = findingsOf(app, { raw: true }).map((f) => `${f.path.replace(/\/Resource$/, '')} ${f.id}`);
    expect(raw.sort()).toEqual(
      [
        // X-Ray on every function, in a policy of its own.
        ...[...TASKS.map((t) => `Workflow/${t}`), 'InventoryRefresh/Function', 'Guard/Function'].map(
          (fn) => `Test/Default/${fn}/Role/XRay AwsSolutions-IAM5[Resource::*]`,
        ),
        // EC2 Describe* of the functions that read EC2.
        ...[
          ...TASKS.filter((t) => !['AcquireLease', 'ReleaseLease', 'Notify'].includes(t)).map((t) => `Workflow/${t}`),
          'InventoryRefresh/Function',
          'Guard/Function',
        ].map((fn) => `Test/Default/${fn}/Role/Ec2Describe AwsSolutions-IAM5[Resource::*]`),
        'Test/Default/Workflow/FirstWrite/Role/DefaultPolicy ' +
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:route-table/*]',
        'Test/Default/Workflow/SwitchItems/Role/DefaultPolicy ' +
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:route-table/*]',
        'Test/Default/Workflow/AcquireLease/Role/DefaultPolicy ' +
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:' +
          '<AWS::AccountId>:execution:Test-failover:*]',
        'Test/Default/Workflow/StateMachineRole/LogDelivery AwsSolutions-IAM5[Resource::*]',
        'Test/Default/Workflow/StateMachineRole/XRay AwsSolutions-IAM5[Resource::*]',
        'Test/Default/Triggers/TriggerDeadLetterQueue AwsSolutions-SQS3',
      ].sort(),
    );
  });

  it.each(['AwsSolutions-IAM5', 'AwsSolutions-IAM4'])(
    'refuse to acknowledge the bare rule %s (it would cover later findings too)',
    (id) => {
      const app = createApp();
      const stack = new FailoverStack(app, 'Test', { config: parseConfig(exampleConfig()) });
      expect(() => acknowledgeFinding(stack, id, 'x'.repeat(200))).toThrow(
        `Test: acknowledge one finding of ${id}, e.g. ${id}[Resource::<the ARN>]`,
      );
      expect(() => acknowledgeFinding(stack, `${id}[Resource::*]`, 'x'.repeat(200))).not.toThrow();
    },
  );

  it('acknowledge route-table/* only for the twins (tag-conditioned) when every group lists its route tables', () => {
    const { app } = synth(configs().onlyIds);
    const acks = acknowledgementsOf(app).filter((a) => a.id.includes('route-table'));
    expect(acks.map((a) => a.path)).toEqual([
      'Test/Default/Workflow/FirstWrite/Role/DefaultPolicy',
      'Test/Default/Workflow/SwitchItems/Role/DefaultPolicy',
    ]);
    expect(acks[0].reason).toMatch(/on the twins of every group/);
  });
});

describe('infra/app.ts with the cdk-nag checks', () => {
  it('synthesizes the example named as CI names it (exit 0, template written)', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'route-failover-nag-'));
    try {
      const { context } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
      const result = spawnSync(
        process.execPath,
        [path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/app.ts'],
        {
          cwd: PROJECT_ROOT,
          env: {
            ...process.env,
            CDK_CONTEXT_JSON: JSON.stringify({
              ...context,
              failoverFile: 'examples/failover.json',
              'aws:cdk:bundling-stacks': [],
            }),
            CDK_OUTDIR: outdir,
          },
          encoding: 'utf8',
          // A child process that synthesizes the whole app: generous, the machine running the suite may be loaded.
          timeout: 60_000,
        },
      );
      expect(result.stderr).not.toMatch(/AwsSolutions-/);
      expect(result.status).toBe(0);
      const template = JSON.parse(readFileSync(path.join(outdir, 'VpcRouteFailover.template.json'), 'utf8'));
      expect(template.Resources).toBeDefined();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 90_000);
});
