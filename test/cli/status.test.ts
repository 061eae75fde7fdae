import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { SimulatedVpc } from '../../sim';
import { cliHarness, serveExecutions } from './helpers';
import { buildEstate, recordExecution, STATE_MACHINE_ARN } from './recorded';

/** route-failover status against the simulated VPC (real EC2Client subclass, real pagination and filters). */

/** A clean estate: router-a carries all 6 routes of 2 tagged tables (eth0 and eth1), router-b none. */
const cleanEstate = () => {
  const sim = new SimulatedVpc({ seed: 3 });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const router = (az: string) => {
    const id = sim.addInstance({ vpcId, availabilityZone: `us-east-1${az}` });
    return {
      id,
      eth0: sim.addNetworkInterface({ vpcId, instanceId: id, deviceIndex: 0, sourceDestCheck: false }),
      eth1: sim.addNetworkInterface({ vpcId, instanceId: id, deviceIndex: 1, sourceDestCheck: false }),
    };
  };
  const a = router('a');
  const b = router('b');
  const tables = [1, 2].map((n) => {
    const rtb = sim.addRouteTable({ vpcId, tags: { 'route-failover:group': 'edge' } });
    sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: a.eth0 });
    sim.addRoute(rtb, { DestinationCidrBlock: '172.16.0.0/12', NetworkInterfaceId: a.eth0 });
    sim.addRoute(rtb, { DestinationCidrBlock: `10.10${n}.0.0/16`, NetworkInterfaceId: a.eth1 });
    return rtb;
  });
  // A table outside the scope (no tag) pointing at router-b: must not count.
  const outside = sim.addRouteTable({ vpcId });
  sim.addRoute(outside, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: b.eth0 });
  const config = {
    groups: [
      {
        name: 'edge',
        vpcId,
        members: [
          { name: 'router-a', instanceId: a.id },
          { name: 'router-b', instanceId: b.id },
        ],
        preferred: 'router-a',
        routeTables: { tag: { key: 'route-failover:group', value: 'edge' } },
      },
    ],
  };
  const h = cliHarness({
    ec2: sim.ec2(),
    files: { 'failover.json': JSON.stringify(config) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
  });
  serveExecutions(h.mocks.sfn, []);
  return { sim, a, b, tables, h, config };
};

describe('status, read from the route tables', () => {
  it('a consistent group: the active member, routes per member, instance states; exit 0', async () => {
    const { h, a, b } = cleanEstate();

    const r = await h.run(['status', '--config', 'failover.json']);

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GROUP edge');
    expect(r.stdout).toContain('scope: tag route-failover:group=edge (2 route tables read)');
    expect(r.stdout).toContain('active:  router-a (6 routes)');
    expect(r.stdout).toMatch(new RegExp(`router-a\\s+${a.id}\\s+running\\s+us-east-1a\\s+6\\s+active, preferred`));
    expect(r.stdout).toMatch(new RegExp(`router-b\\s+${b.id}\\s+running\\s+us-east-1b\\s+0`));
    expect(r.stdout).not.toMatch(/INCONSISTENT|BLACKHOLE/);
    expect(r.stdout).toContain('last execution: none among the newest 25 executions');

    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);
    expect(json.ok).toBe(true);
    expect(json.groups[0]).toMatchObject({
      group: 'edge',
      consistent: true,
      active: 'router-a',
      routes: 6,
      blackholes: [],
      problems: [],
      members: [
        { name: 'router-a', state: 'running', routes: 6, active: true, preferred: true, enis: [a.eth0, a.eth1] },
        { name: 'router-b', state: 'running', routes: 0, active: false, preferred: false },
      ],
      lastExecution: null,
    });
  });

  it('the active router stopped: its routes are blackholes, flagged loudly; exit 1', async () => {
    const { h, sim, a } = cleanEstate();
    sim.setInstanceState(a.id, 'stopped');

    const r = await h.run(['status', '--config', 'failover.json']);

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ACTIVE MEMBER router-a is stopped');
    expect(r.stdout).toContain('BLACKHOLE: 6 routes point at an interface that cannot forward');
    expect(r.stdout.match(/^ {4}rtb-\S+ +\S+ +→ eni-\S+ +router-a$/gm)).toHaveLength(6);
    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.groups[0].blackholes).toHaveLength(6);
    expect(json.groups[0].blackholes[0]).toMatchObject({ member: 'router-a', state: 'blackhole' });
  });

  it('an interface detached from the active router: only its routes are blackholes, still flagged', async () => {
    const { h, sim, a } = cleanEstate();
    sim.detachNetworkInterface(a.eth1);

    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);

    // The interface is no longer router-a's, but routes to it still drop traffic in the group's tables.
    expect(json.groups[0].blackholes.map((b: { destination: string }) => b.destination).sort()).toEqual([
      '10.101.0.0/16',
      '10.102.0.0/16',
    ]);
    expect(json.groups[0].blackholes[0].target).toBe(a.eth1);
    expect(json.groups[0].blackholes[0]).not.toHaveProperty('member');
    expect(json.groups[0].members[0]).toMatchObject({ name: 'router-a', routes: 4, state: 'running' });
    expect(json.ok).toBe(false);
  });

  it(`routes split between router-a and router-b: \
INCONSISTENT, consistent false, no active member; exit 1`, async () => {
    const { h, sim, b, tables } = cleanEstate();
    await sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: tables[1],
        DestinationCidrBlock: '192.168.0.0/16',
        NetworkInterfaceId: b.eth0,
      }),
    );
    await sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: tables[1],
        DestinationCidrBlock: '10.102.0.0/16',
        NetworkInterfaceId: b.eth1,
      }),
    );

    const r = await h.run(['status', '--config', 'failover.json']);

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('active:  INCONSISTENT (6 routes split between members)');
    expect(r.stdout).toContain('INCONSISTENT: routes are split between members (router-a 4, router-b 2)');
    expect(r.stdout).toContain('route-failover switchover --group edge --to MEMBER');
    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);
    expect(json.groups[0]).toMatchObject({
      consistent: false,
      active: null,
      members: [
        { routes: 4, active: false },
        { routes: 2, active: false },
      ],
    });
  });

  it('the shared scenario (whole-VPC scope, a route already on router-b per table) reads as split', async () => {
    const estate = buildEstate({ routeTables: 2 });
    const h = cliHarness({
      ec2: estate.sim.ec2(),
      files: { 'failover.json': JSON.stringify(estate.scenario.config) },
      env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
    });
    serveExecutions(h.mocks.sfn, []);

    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);

    // 5 routes per tagged table plus one in the main table on router-a, one per tagged table on router-b.
    expect(json.groups[0]).toMatchObject({
      consistent: false,
      routes: 13,
      members: [
        { name: 'router-a', routes: 11 },
        { name: 'router-b', routes: 2 },
      ],
    });
  });

  it('--group: only that group; an unknown group is refused', async () => {
    const { h } = cleanEstate();
    expect((await h.run(['status', '--config', 'failover.json', '--group', 'edge'])).code).toBe(0);
    const r = await h.run(['status', '--config', 'failover.json', '--group', 'core']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown group "core" (configured: edge)');
  });
});

describe('status: the last execution of the group', () => {
  it('is the newest execution whose record or input names the group, whatever its name', async () => {
    const estate = buildEstate({ routeTables: 2 });
    const t = (h: number) => new Date(Date.parse('2026-11-25T14:00:00Z') - h * 3_600_000);
    const older = await recordExecution(
      estate,
      { action: 'switchover', group: 'onprem-edge', to: 'router-b', dryRun: true, requestedBy: 'bob' },
      { name: 'switchover-onprem-edge-older', startAt: t(5) },
    );
    const stopping = {
      version: '0',
      id: 'e-1',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { 'instance-id': estate.scenario.routerA.instanceId, state: 'stopping' },
    };
    estate.sim.setInstanceState(estate.scenario.routerA.instanceId, 'stopping');
    // EventBridge names executions with a UUID: the group comes from the record.
    const event = await recordExecution(estate, stopping, {
      name: '5b2f0c7e-3a1d-4f65-9c1e-2e8b8f0d9a11',
      startAt: t(2),
    });
    const otherGroup = await recordExecution(
      estate,
      { action: 'switchover', group: 'no-such-group', requestedBy: 'bob' },
      { name: 'switchover-no-such-group-x', startAt: t(1) },
    );
    const h = cliHarness({
      ec2: estate.sim.ec2(),
      files: { 'failover.json': JSON.stringify(estate.scenario.config) },
      env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
    });
    serveExecutions(h.mocks.sfn, [older, event, otherGroup]);

    const r = await h.run(['status', '--config', 'failover.json']);

    expect(r.stdout).toContain('active:  router-b (13 routes)');
    expect(r.stdout).toMatch(
      new RegExp(
        `last execution: 5b2f0c7e-3a1d-4f65-9c1e-2e8b8f0d9a11 {2}2026-11-25T12:00:00Z ` +
          `{2}SUCCEEDED, succeeded {2}router-a → router-b {2}"onprem-edge: router-a -> router-b, 11 ` +
          String.raw`route\(s\) moved and verified"`,
      ),
    );
    // The newest (other group) and the event were described; the older one was not needed.
    expect(h.mocks.sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([
      otherGroup.arn,
      event.arn,
    ]);
    expect(h.mocks.sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: STATE_MACHINE_ARN });
  });

  it('without a state machine, status still answers from EC2 and says why the last execution is unknown', async () => {
    const { sim, config } = cleanEstate();
    const h = cliHarness({
      ec2: sim.ec2(),
      files: { '/repo/cdk.json': JSON.stringify({ context: { failover: config } }) },
      env: {},
    });
    h.mocks.cfn.rejects(
      Object.assign(new Error('Stack with id VpcRouteFailover does not exist'), { name: 'ValidationError' }),
    );

    const r = await h.run(['status']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/last execution: unknown \(stack "VpcRouteFailover" does not exist/);
    expect(h.mocks.sfn.calls()).toHaveLength(0);
  });
});
