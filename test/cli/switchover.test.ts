import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { executionName } from '../../cli/route-failover/commands/switchover';
import { ManualRequestSchema } from '../../functions/contract/triggers';
import { cliHarness, configJson, IDS, routeTables, routerInstances, sentCommands, SM_ARN } from './helpers';

/** route-failover switchover / failback against mocked SFN, EC2, STS and CloudFormation clients. */

const NAME = 'switchover-onprem-edge-20261125T143000Z';
const EXEC_ARN = `arn:aws:states:eu-west-1:111122223333:execution:vpc-route-failover:${NAME}`;

/** A harness whose EC2 shows router-a and router-b running and every route of onprem-edge on router-a. */
const setup = (
  opts: {
    env?: Record<string, string>;
    files?: Record<string, string>;
    a?: string;
    b?: string;
    tables?: ReturnType<typeof routeTables>;
  } = {},
) => {
  const h = cliHarness({
    files: opts.files ?? { 'failover.json': configJson() },
    env: opts.env ?? { ROUTE_FAILOVER_STATE_MACHINE_ARN: SM_ARN },
  });
  h.mocks.ec2.on(DescribeInstancesCommand).resolves(routerInstances(opts.a, opts.b));
  h.mocks.ec2.on(DescribeRouteTablesCommand).resolves(opts.tables ?? routeTables(IDS.eniA0, IDS.eniA1));
  h.mocks.sfn.on(StartExecutionCommand).callsFake((input) => ({
    executionArn: `${SM_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date('2026-11-25T14:30:00.456Z'),
  }));
  return h;
};

const started = (h: ReturnType<typeof setup>) =>
  h.mocks.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

describe('switchover: what is sent', () => {
  it(`starts the execution with the manual-request contract, \
a readable name and the caller identity as requester`, async () => {
    const h = setup();

    const r = await h.run([
      'switchover',
      '--config',
      'failover.json',
      '--group',
      'onprem-edge',
      '--to',
      'router-b',
      '--reason',
      'patch router-a (CHG-1042)',
    ]);

    expect(r.code).toBe(0);
    const sent = started(h);
    expect(sent).toHaveLength(1);
    expect(sent[0].stateMachineArn).toBe(SM_ARN);
    expect(sent[0].name).toBe(NAME);
    const input = JSON.parse(sent[0].input!);
    expect(input).toEqual({
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      dryRun: false,
      reason: 'patch router-a (CHG-1042)',
      requestedBy: 'arn:aws:sts::111122223333:assumed-role/NetOps/alice',
    });
    // Exactly what the workflow's strict schema accepts, nothing more.
    expect(ManualRequestSchema.parse(input)).toEqual(input);
    expect(h.mocks.sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(h.mocks.ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      InstanceIds: [IDS.routerA, IDS.routerB],
    });
    expect(h.mocks.ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }],
    });
    expect(r.stdout).toContain(`Started ${NAME}`);
    expect(r.stdout).toContain('onprem-edge: router-a → router-b, 3 routes to move in 1 route table');
    expect(r.stdout).toContain(`route-failover history show ${NAME}`);
    expect(r.stderr).toBe('');
  });

  it('--requested-by overrides the caller identity: STS is not asked', async () => {
    const h = setup();

    const r = await h.run([
      'switchover',
      '--config',
      'failover.json',
      '--group',
      'onprem-edge',
      '--to',
      'router-b',
      '--requested-by',
      'netops-oncall',
    ]);

    expect(r.code).toBe(0);
    expect(JSON.parse(started(h)[0].input!)).toMatchObject({ requestedBy: 'netops-oncall' });
    expect(h.mocks.sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
  });

  it('--dry-run sends dryRun true under a -dryrun name', async () => {
    const h = setup();

    const r = await h.run([
      'switchover',
      '--config',
      'failover.json',
      '--group',
      'onprem-edge',
      '--to',
      'router-b',
      '--dry-run',
    ]);

    expect(r.code).toBe(0);
    expect(started(h)[0].name).toBe(`${NAME}-dryrun`);
    expect(JSON.parse(started(h)[0].input!)).toMatchObject({ action: 'switchover', dryRun: true });
    expect(r.stdout).toContain('dry run: nothing will change');
  });

  it(`without --to: the input names no target (the workflow \
picks the peer) and the plan says where routes go`, async () => {
    const h = setup();

    const r = await h.run(['switchover', '--config', 'failover.json', '--group', 'onprem-edge']);

    expect(r.code).toBe(0);
    expect(JSON.parse(started(h)[0].input!)).not.toHaveProperty('to');
    expect(r.stdout).toContain('router-a → router-b');
  });

  it('--json prints one JSON document with the execution and the input', async () => {
    const h = setup();

    const r = await h.run([
      'switchover',
      '--config',
      'failover.json',
      '--group',
      'onprem-edge',
      '--to',
      'router-b',
      '--json',
    ]);

    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      started: true,
      executionName: NAME,
      executionArn: EXEC_ARN,
      stateMachineArn: SM_ARN,
      from: 'router-a',
      to: 'router-b',
      routes: 3,
      input: { action: 'switchover', group: 'onprem-edge', to: 'router-b', dryRun: false },
    });
    expect(r.stderr).toContain(`Started ${NAME}`);
  });

  it('failback sends action failback with no target, named failback-<group>-<time>', async () => {
    const h = setup({ tables: routeTables(IDS.eniB0, IDS.eniB1) });

    const r = await h.run([
      'failback',
      '--config',
      'failover.json',
      '--group',
      'onprem-edge',
      '--reason',
      'router-a patched',
    ]);

    expect(r.code).toBe(0);
    expect(started(h)[0].name).toBe('failback-onprem-edge-20261125T143000Z');
    expect(JSON.parse(started(h)[0].input!)).toEqual({
      action: 'failback',
      group: 'onprem-edge',
      dryRun: false,
      reason: 'router-a patched',
      requestedBy: 'arn:aws:sts::111122223333:assumed-role/NetOps/alice',
    });
    expect(r.stdout).toContain('router-b → router-a');
  });

  it('routes split between members: --to converges them (not refused)', async () => {
    const h = setup({ tables: routeTables(IDS.eniA0, IDS.eniB1) });

    const r = await h.run(['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-b']);

    expect(r.code).toBe(0);
    expect(started(h)).toHaveLength(1);
    expect(r.stdout).toContain(
      'onprem-edge: router-a (2) → router-b, 2 routes to move (1 already on router-b) in 1 route table',
    );
  });

  it('a StartExecution error exits 1 and says nothing was started', async () => {
    const h = setup();
    h.mocks.sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    const r = await h.run(['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-b']);

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/StartExecution failed: ExecutionAlreadyExists.*same second.*Nothing was started/);
  });
});

describe('switchover: bad requests are refused before anything starts (exit 2)', () => {
  const refused = async (argv: string[], message: RegExp, opts: Parameters<typeof setup>[0] = {}) => {
    const h = setup(opts);
    const r = await h.run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(h.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    return { h, r };
  };

  it('unknown group: names the configured groups; no AWS call at all', async () => {
    const { h } = await refused(
      ['switchover', '--config', 'failover.json', '--group', 'nope', '--to', 'router-b'],
      /unknown group "nope" \(configured: onprem-edge, dc-west\)/,
    );
    expect(sentCommands(h.mocks)).toEqual([]);
  });

  it('unknown member: names the members; no AWS call at all', async () => {
    const { h } = await refused(
      ['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-z'],
      /group "onprem-edge" has no member "router-z" \(members: router-a, router-b\)/,
    );
    expect(sentCommands(h.mocks)).toEqual([]);
  });

  it('target already active: every route already points at it', async () => {
    const { h } = await refused(
      ['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-a'],
      /router-a is already active for group "onprem-edge": all 3 routes point at it\. Nothing was started/,
    );
    expect(h.mocks.sts).not.toHaveReceivedCommand(GetCallerIdentityCommand);
  });

  it('failback when the preferred member is already active', async () => {
    await refused(['failback', '--config', 'failover.json', '--group', 'onprem-edge'], /router-a is already active/);
  });

  it('failback for a group without a preferred member; no AWS call at all', async () => {
    const { h } = await refused(
      ['failback', '--config', 'failover.json', '--group', 'dc-west'],
      /group "dc-west" has no preferred member.*switchover --group dc-west --to MEMBER/,
    );
    expect(sentCommands(h.mocks)).toEqual([]);
  });

  it('a target that is not running', async () => {
    await refused(
      ['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-b'],
      /target router-b \(i-0bb22222222222222\) is stopped, not running/,
      { b: 'stopped' },
    );
  });

  it('routes split between members and no --to', async () => {
    await refused(
      ['switchover', '--config', 'failover.json', '--group', 'onprem-edge'],
      /split between router-a \(2\) and router-b \(1\): name the target with --to/,
      {
        tables: routeTables(IDS.eniA0, IDS.eniA1, IDS.eniB0),
      },
    );
  });

  it('no route points at any member', async () => {
    await refused(
      ['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-b'],
      /no route .* points at a member: nothing to move/,
      {
        tables: { RouteTables: [{ RouteTableId: IDS.rtb1, VpcId: IDS.vpc, Routes: [] }] },
      },
    );
  });

  it('a reason longer than the contract allows; no AWS call at all', async () => {
    const { h } = await refused(
      [
        'switchover',
        '--config',
        'failover.json',
        '--group',
        'onprem-edge',
        '--to',
        'router-b',
        '--reason',
        'x'.repeat(600),
      ],
      /invalid request: reason: /,
    );
    expect(sentCommands(h.mocks)).toEqual([]);
  });

  it('missing --group, unknown option, stray argument: usage errors', async () => {
    await refused(['switchover', '--config', 'failover.json'], /switchover needs --group G/);
    await refused(
      ['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--force'],
      /Unknown option '--force'/,
    );
    await refused(
      ['switchover', '--config', 'failover.json', '--group', 'onprem-edge', 'router-b'],
      /unexpected argument "router-b"/,
    );
    await refused(
      ['failback', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-b'],
      /--to is not an option of failback/,
    );
  });

  it('an invalid config file names the bad field', async () => {
    const bad = JSON.parse(configJson());
    bad.groups[0].members[1].instanceId = 'i-nope';
    await refused(
      ['switchover', '--config', 'bad.json', '--group', 'onprem-edge', '--to', 'router-b'],
      /config file bad\.json.*groups\[0\]\.members\[1\]\.instanceId/s,
      {
        files: { 'bad.json': JSON.stringify(bad) },
      },
    );
  });
});

describe('switchover: where the config and the state machine come from', () => {
  it('default config: cdk.json context "failover" in the working directory', async () => {
    const h = setup({
      files: { '/repo/cdk.json': JSON.stringify({ app: 'x', context: { failover: JSON.parse(configJson()) } }) },
    });

    const r = await h.run(['switchover', '--group', 'onprem-edge', '--to', 'router-b']);

    expect(r.code).toBe(0);
  });

  it('no config anywhere: refused with where it looked and how to give one, before any AWS call', async () => {
    const h = setup({ files: {} });

    const r = await h.run(['switchover', '--group', 'onprem-edge', '--to', 'router-b']);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'no failover config in /repo (no failover.json, no cdk.json context "failover"): pass --config FILE, or write ' +
        'failover.json there (route-failover init prints one)',
    );
    expect(started(h)).toEqual([]);
    for (const mock of [h.mocks.sts, h.mocks.sfn, h.mocks.ec2]) expect(mock.calls()).toHaveLength(0);
  });

  it("default config: the operator's failover.json in the working directory, the file cdk synth deploys", async () => {
    const mine = JSON.parse(configJson());
    mine.groups[0].name = 'dx-edge';
    const h = setup({ files: { '/repo/failover.json': JSON.stringify(mine) } });

    const r = await h.run(['switchover', '--group', 'dx-edge', '--to', 'router-b']);

    expect(r.code).toBe(0);
    expect(started(h).map((s) => JSON.parse(s.input!).group)).toEqual(['dx-edge']);
  });

  it('without flag or env: the StateMachineArn output of stack VpcRouteFailover', async () => {
    const h = setup({ env: {} });
    h.mocks.cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'VpcRouteFailover',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: SM_ARN }],
        },
      ],
    });

    const r = await h.run(['switchover', '--config', 'failover.json', '--group', 'onprem-edge', '--to', 'router-b']);

    expect(r.code).toBe(0);
    expect(h.mocks.cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'VpcRouteFailover' });
    expect(started(h)[0].stateMachineArn).toBe(SM_ARN);
  });

  it('--stack names another stack; a stack that does not exist is refused before anything starts', async () => {
    const h = setup({ env: {} });
    const missing = Object.assign(new Error('Stack with id Other does not exist'), { name: 'ValidationError' });
    h.mocks.cfn.on(DescribeStacksCommand).rejects(missing);

    const r = await h.run([
      'switchover',
      '--config',
      'failover.json',
      '--group',
      'onprem-edge',
      '--to',
      'router-b',
      '--stack',
      'Other',
    ]);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stack "Other" does not exist.*--state-machine-arn/);
    expect(h.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it(`--state-machine-arn wins over the env; CloudFormation is \
not asked; region: --region, else AWS_REGION, else the ARN`, async () => {
    const other = 'arn:aws:states:ap-southeast-2:111122223333:stateMachine:other';
    const h = setup({ env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: SM_ARN } });

    await h.run([
      'switchover',
      '--config',
      'failover.json',
      '--group',
      'onprem-edge',
      '--to',
      'router-b',
      '--state-machine-arn',
      other,
    ]);
    await h.run(['status', '--config', 'failover.json', '--region', 'us-west-2']);

    expect(started(h)[0].stateMachineArn).toBe(other);
    expect(h.mocks.cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
    expect(h.regions).toEqual(['ap-southeast-2', 'us-west-2']);
  });
});

describe('executionName', () => {
  it('fits Step Functions name rules with the longest group name, keeping the timestamp', () => {
    const name = executionName('switchover', 'g'.repeat(63), new Date('2026-11-25T14:30:00.999Z'), true);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name).toMatch(/^switchover-g+-20261125T143000Z-dryrun$/);
  });
});
