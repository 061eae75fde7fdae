import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  ReplaceRouteCommand,
  paginateDescribeInstances,
  paginateDescribeRouteTables,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import {
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { SimulatedVpc } from '../../sim';

/** A small VPC: router (eth0, eth1), standby (eth0, eth1), appliance (eth0), one table with routes on the router. */
const fixture = (opts: { seed?: number; latencyMs?: number | Record<string, number> } = {}) => {
  const sim = new SimulatedVpc({ seed: opts.seed ?? 1, latencyMs: opts.latencyMs });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16', ipv6Cidr: '2600:1f18:abcd:1200::/56' });
  const instance = (az: string, nics: number, name: string) => {
    const instanceId = sim.addInstance({ vpcId, availabilityZone: `us-east-1${az}`, tags: { Name: name } });
    const enis = Array.from({ length: nics }, (_, deviceIndex) =>
      sim.addNetworkInterface({ vpcId, instanceId, deviceIndex, sourceDestCheck: false }),
    );
    return { instanceId, enis };
  };
  const router = instance('a', 2, 'router');
  const standby = instance('b', 2, 'standby');
  const appliance = instance('a', 1, 'appliance');
  const rtb = sim.addRouteTable({ vpcId, tags: { Name: 'private', team: 'net' } });
  sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: router.enis[0] });
  sim.addRoute(rtb, { DestinationIpv6CidrBlock: '2001:db8::/32', NetworkInterfaceId: router.enis[1] });
  sim.addRoute(rtb, { DestinationPrefixListId: 'pl-0123456789abcdef0', NetworkInterfaceId: router.enis[0] });
  sim.addRoute(rtb, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0' });
  sim.addRoute(rtb, {
    DestinationCidrBlock: '10.60.0.0/16',
    GatewayId: 'vgw-0123456789abcdef0',
    Origin: 'EnableVgwRoutePropagation',
  });
  return { sim, ec2: sim.ec2(), sns: sim.sns(), vpcId, router, standby, appliance, rtb };
};

const replace = (
  rtb: string,
  dest: Record<string, string>,
  target: Record<string, string>,
  extra: Record<string, unknown> = {},
) => new ReplaceRouteCommand({ RouteTableId: rtb, ...dest, ...target, ...extra });

const routeIn = (tables: RouteTable[], rtb: string, cidr: string) =>
  tables
    .find((t) => t.RouteTableId === rtb)
    ?.Routes?.find((r) => (r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId) === cidr);

describe('SimulatedVpc clients', () => {
  it('are real SDK client instances that never need the network', async () => {
    const { ec2, sns } = fixture();
    expect(ec2).toBeInstanceOf(EC2Client);
    expect(sns).toBeInstanceOf(SNSClient);
    const out = await ec2.send(new DescribeRouteTablesCommand({}));
    expect(out.$metadata).toEqual({
      httpStatusCode: 200,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      attempts: 1,
      totalRetryDelay: 0,
    });
    expect(await ec2.config.region()).toBe('us-east-1');
  });

  it('names an unsupported command instead of answering it', async () => {
    const { sim, ec2 } = fixture();
    await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toThrow(/does not support EC2 DescribeVpcs/);
    expect(sim.calls.at(-1)).toMatchObject({ action: 'DescribeVpcs', error: 'Error' });
  });

  it('supports the callback form of send', async () => {
    const { ec2 } = fixture();
    const out = await new Promise((resolve, reject) =>
      ec2.send(new DescribeRouteTablesCommand({}), (err: unknown, data?: unknown) =>
        err ? reject(err) : resolve(data),
      ),
    );
    expect(out).toHaveProperty('RouteTables');
  });
});

describe('DescribeRouteTables', () => {
  const twelveTables = () => {
    const f = fixture();
    for (let i = 0; i < 11; i++) f.sim.addRouteTable({ vpcId: f.vpcId, tags: { Name: `t${i}` } });
    return f;
  };

  it('paginates 12 tables with MaxResults 5 through the SDK paginator, each table exactly once', async () => {
    const { sim, ec2 } = twelveTables();
    const pages: string[][] = [];
    for await (const page of paginateDescribeRouteTables({ client: ec2, pageSize: 5 }, {})) {
      pages.push((page.RouteTables ?? []).map((t) => t.RouteTableId ?? ''));
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    const ids = pages.flat();
    expect(new Set(ids).size).toBe(12);
    expect(ids).toEqual(sim.routeTables().map((t) => t.RouteTableId));
    expect(sim.callCounts().DescribeRouteTables).toBe(3);
  });

  it('returns everything without MaxResults and no NextToken', async () => {
    const { ec2 } = twelveTables();
    const out = await ec2.send(new DescribeRouteTablesCommand({}));
    expect(out.RouteTables).toHaveLength(12);
    expect(out.NextToken).toBeUndefined();
  });

  it('neither repeats nor skips when a table is deleted between pages', async () => {
    const { sim, ec2 } = twelveTables();
    const first = await ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    const seen = (first.RouteTables ?? []).map((t) => t.RouteTableId);
    sim.deleteRouteTable(seen[4] as string);
    const rest = await ec2.send(new DescribeRouteTablesCommand({ MaxResults: 100, NextToken: first.NextToken }));
    const all = [...seen, ...(rest.RouteTables ?? []).map((t) => t.RouteTableId)];
    expect(new Set(all).size).toBe(12);
  });

  it.each([4, 101, 0])('rejects MaxResults %d', async (MaxResults) => {
    const { ec2 } = fixture();
    await expect(ec2.send(new DescribeRouteTablesCommand({ MaxResults }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('between 5 and 100'),
    });
  });

  it('rejects MaxResults combined with RouteTableIds', async () => {
    const { ec2, rtb } = fixture();
    await expect(
      ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb], MaxResults: 5 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
    });
  });

  it('rejects a forged token and a token reused with other filters', async () => {
    const { ec2, vpcId } = twelveTables();
    await expect(
      ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5, NextToken: 'garbage' })),
    ).rejects.toMatchObject({ name: 'InvalidPaginationToken' });
    const first = await ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    const other = new DescribeRouteTablesCommand({
      MaxResults: 5,
      NextToken: first.NextToken,
      Filters: [{ Name: 'vpc-id', Values: [vpcId] }],
    });
    await expect(ec2.send(other)).rejects.toMatchObject({ name: 'InvalidPaginationToken' });
  });

  it('fails the whole call on an unknown or malformed route table ID', async () => {
    const { ec2, rtb } = fixture();
    await expect(
      ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb, 'rtb-00000000000000000'] })),
    ).rejects.toMatchObject({
      name: 'InvalidRouteTableID.NotFound',
      message: "The routeTable ID 'rtb-00000000000000000' does not exist",
    });
    await expect(ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['nope'] }))).rejects.toMatchObject({
      name: 'InvalidRouteTableId.Malformed',
    });
  });

  it('ORs values within a filter and ANDs filters, with tag, tag-key, association.main and wildcards', async () => {
    const { sim, ec2, vpcId, rtb } = fixture();
    const otherVpc = sim.addVpc({ cidr: '10.1.0.0/16' });
    const main = sim.addRouteTable({ vpcId, main: true });
    const elsewhere = sim.addRouteTable({ vpcId: otherVpc, tags: { team: 'net' } });
    const ids = async (Filters: Array<{ Name: string; Values: string[] }>) =>
      ((await ec2.send(new DescribeRouteTablesCommand({ Filters }))).RouteTables ?? []).map((t) => t.RouteTableId);

    expect(await ids([{ Name: 'vpc-id', Values: [vpcId] }])).toEqual([rtb, main]);
    expect(await ids([{ Name: 'vpc-id', Values: [vpcId, otherVpc] }])).toEqual([rtb, main, elsewhere]);
    expect(await ids([{ Name: 'tag:team', Values: ['net'] }])).toEqual([rtb, elsewhere]);
    expect(
      await ids([
        { Name: 'tag:team', Values: ['net'] },
        { Name: 'vpc-id', Values: [vpcId] },
      ]),
    ).toEqual([rtb]);
    expect(await ids([{ Name: 'tag-key', Values: ['Name'] }])).toEqual([rtb]);
    expect(await ids([{ Name: 'tag:Name', Values: ['priv*'] }])).toEqual([rtb]);
    expect(await ids([{ Name: 'association.main', Values: ['true'] }])).toEqual([main]);
    expect(await ids([{ Name: 'route-table-id', Values: [main, elsewhere] }])).toEqual([main, elsewhere]);
  });

  it('knows the route.* filters EC2 has and rejects the ones it does not', async () => {
    const { ec2, router, rtb } = fixture();
    const byInstance = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.instance-id', Values: [router.instanceId] }] }),
    );
    expect(byInstance.RouteTables?.map((t) => t.RouteTableId)).toEqual([rtb]);
    await expect(
      ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.network-interface-id', Values: [router.enis[0]] }] }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: "The filter 'route.network-interface-id' is invalid",
    });
  });

  it('prints routes like EC2: local, ENI targets with their instance, origins, tags, associations', async () => {
    const { sim, ec2, vpcId, router, rtb } = fixture();
    const [table] = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables ?? [];
    expect(table).toMatchObject({
      RouteTableId: rtb,
      VpcId: vpcId,
      OwnerId: sim.accountId,
      Associations: [],
      PropagatingVgws: [{ GatewayId: 'vgw-0123456789abcdef0' }],
    });
    expect(table.Tags).toEqual([
      { Key: 'Name', Value: 'private' },
      { Key: 'team', Value: 'net' },
    ]);
    expect(table.Routes).toEqual([
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      {
        DestinationIpv6CidrBlock: '2600:1f18:abcd:1200::/56',
        GatewayId: 'local',
        Origin: 'CreateRouteTable',
        State: 'active',
      },
      {
        DestinationCidrBlock: '192.168.0.0/16',
        NetworkInterfaceId: router.enis[0],
        InstanceId: router.instanceId,
        InstanceOwnerId: sim.accountId,
        Origin: 'CreateRoute',
        State: 'active',
      },
      {
        DestinationIpv6CidrBlock: '2001:db8::/32',
        NetworkInterfaceId: router.enis[1],
        InstanceId: router.instanceId,
        InstanceOwnerId: sim.accountId,
        Origin: 'CreateRoute',
        State: 'active',
      },
      {
        DestinationPrefixListId: 'pl-0123456789abcdef0',
        NetworkInterfaceId: router.enis[0],
        InstanceId: router.instanceId,
        InstanceOwnerId: sim.accountId,
        Origin: 'CreateRoute',
        State: 'active',
      },
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0', Origin: 'CreateRoute', State: 'active' },
      {
        DestinationCidrBlock: '10.60.0.0/16',
        GatewayId: 'vgw-0123456789abcdef0',
        Origin: 'EnableVgwRoutePropagation',
        State: 'active',
      },
    ]);
  });

  it.each(['stopping', 'stopped', 'shutting-down', 'pending'] as const)(
    'shows routes to a %s instance as blackhole, others stay active',
    async (state) => {
      const { sim, ec2, router, rtb } = fixture();
      sim.setInstanceState(router.instanceId, state);
      const tables = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
      expect(routeIn(tables, rtb, '192.168.0.0/16')?.State).toBe('blackhole');
      expect(routeIn(tables, rtb, '2001:db8::/32')?.State).toBe('blackhole');
      expect(routeIn(tables, rtb, '10.0.0.0/16')?.State).toBe('active');
      expect(routeIn(tables, rtb, '0.0.0.0/0')?.State).toBe('active');
      sim.setInstanceState(router.instanceId, 'running');
      expect(sim.route(rtb, '192.168.0.0/16')?.State).toBe('active');
    },
  );

  it('blackholes a detached ENI (no InstanceId) and a terminated instance (ENIs deleted)', () => {
    const { sim, router, rtb } = fixture();
    sim.detachNetworkInterface(router.enis[1]);
    expect(sim.route(rtb, '2001:db8::/32')).toEqual({
      DestinationIpv6CidrBlock: '2001:db8::/32',
      NetworkInterfaceId: router.enis[1],
      Origin: 'CreateRoute',
      State: 'blackhole',
    });
    sim.setInstanceState(router.instanceId, 'terminated');
    expect(sim.route(rtb, '192.168.0.0/16')).toMatchObject({ NetworkInterfaceId: router.enis[0], State: 'blackhole' });
    expect(sim.route(rtb, '192.168.0.0/16')?.InstanceId).toBeUndefined();
  });
});

describe('ReplaceRoute', () => {
  it('moves a route to another ENI, sets Origin CreateRoute and is idempotent', async () => {
    const { sim, ec2, standby, rtb } = fixture();
    const out = await ec2.send(
      replace(rtb, { DestinationCidrBlock: '192.168.0.0/16' }, { NetworkInterfaceId: standby.enis[0] }),
    );
    expect(Object.keys(out)).toEqual(['$metadata']);
    expect(sim.route(rtb, '192.168.0.0/16')).toMatchObject({
      NetworkInterfaceId: standby.enis[0],
      InstanceId: standby.instanceId,
      Origin: 'CreateRoute',
      State: 'active',
    });
    await ec2.send(replace(rtb, { DestinationCidrBlock: '192.168.0.0/16' }, { NetworkInterfaceId: standby.enis[0] }));
    expect(sim.route(rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(standby.enis[0]);
    expect(sim.mutatingCalls()).toHaveLength(2);
  });

  it('replaces IPv6 (any spelling of the CIDR) and prefix-list routes', async () => {
    const { sim, ec2, standby, rtb } = fixture();
    await ec2.send(
      replace(rtb, { DestinationIpv6CidrBlock: '2001:DB8:0::/32' }, { NetworkInterfaceId: standby.enis[1] }),
    );
    await ec2.send(
      replace(rtb, { DestinationPrefixListId: 'pl-0123456789abcdef0' }, { NetworkInterfaceId: standby.enis[0] }),
    );
    expect(sim.route(rtb, '2001:db8::/32')?.NetworkInterfaceId).toBe(standby.enis[1]);
    expect(sim.route(rtb, 'pl-0123456789abcdef0')?.NetworkInterfaceId).toBe(standby.enis[0]);
  });

  it('refuses a destination with no route, with EC2 message and a real EC2ServiceException', async () => {
    const { sim, ec2, standby, rtb } = fixture();
    const err = await ec2
      .send(replace(rtb, { DestinationCidrBlock: '10.99.0.0/16' }, { NetworkInterfaceId: standby.enis[0] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EC2ServiceException);
    expect(err).toMatchObject({
      name: 'InvalidParameterValue',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
      message: "There is no route defined for '10.99.0.0/16' in the route table. Use CreateRoute instead.",
    });
    expect(sim.calls.at(-1)?.error).toBe('InvalidParameterValue');
  });

  it('refuses an unknown table, an unknown ENI and an ENI of another VPC', async () => {
    const { sim, ec2, standby, rtb } = fixture();
    const otherVpc = sim.addVpc({ cidr: '10.1.0.0/16' });
    const foreignEni = sim.addNetworkInterface({ vpcId: otherVpc });
    const dest = { DestinationCidrBlock: '192.168.0.0/16' };
    await expect(
      ec2.send(replace('rtb-00000000000000000', dest, { NetworkInterfaceId: standby.enis[0] })),
    ).rejects.toMatchObject({
      name: 'InvalidRouteTableID.NotFound',
    });
    await expect(ec2.send(replace(rtb, dest, { NetworkInterfaceId: 'eni-00000000000000000' }))).rejects.toMatchObject({
      name: 'InvalidNetworkInterfaceID.NotFound',
      message: "The networkInterface ID 'eni-00000000000000000' does not exist",
    });
    await expect(ec2.send(replace(rtb, dest, { NetworkInterfaceId: foreignEni }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('belong to different networks'),
    });
    expect(sim.mutatingCalls()).toHaveLength(0);
  });

  it('checks everything on DryRun, then throws DryRunOperation without any effect', async () => {
    const { sim, ec2, router, standby, rtb } = fixture();
    await expect(
      ec2.send(
        replace(
          rtb,
          { DestinationCidrBlock: '192.168.0.0/16' },
          { NetworkInterfaceId: standby.enis[0] },
          { DryRun: true },
        ),
      ),
    ).rejects.toMatchObject({
      name: 'DryRunOperation',
      message: 'Request would have succeeded, but DryRun flag is set.',
    });
    await expect(
      ec2.send(
        replace(
          rtb,
          { DestinationCidrBlock: '10.99.0.0/16' },
          { NetworkInterfaceId: standby.enis[0] },
          { DryRun: true },
        ),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    expect(sim.route(rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(router.enis[0]);
    expect(sim.mutatingCalls()).toEqual([]);
  });

  it('resolves InstanceId only for a single-interface instance, as EC2 does', async () => {
    const { sim, ec2, standby, appliance, rtb } = fixture();
    await expect(
      ec2.send(replace(rtb, { DestinationCidrBlock: '192.168.0.0/16' }, { InstanceId: standby.instanceId })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID',
      message: expect.stringContaining('multiple interfaces'),
    });
    await ec2.send(replace(rtb, { DestinationCidrBlock: '192.168.0.0/16' }, { InstanceId: appliance.instanceId }));
    expect(sim.route(rtb, '192.168.0.0/16')).toMatchObject({
      NetworkInterfaceId: appliance.enis[0],
      InstanceId: appliance.instanceId,
    });
  });

  it('points the local route at a middlebox interface and restores it with LocalTarget, as EC2 lets it', async () => {
    const { sim, ec2, standby, rtb } = fixture();
    await ec2.send(replace(rtb, { DestinationCidrBlock: '10.0.0.0/16' }, { NetworkInterfaceId: standby.enis[0] }));
    expect(sim.route(rtb, '10.0.0.0/16')).toMatchObject({
      NetworkInterfaceId: standby.enis[0],
      Origin: 'CreateRouteTable',
    });
    await ec2.send(
      new ReplaceRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '10.0.0.0/16', LocalTarget: true }),
    );
    expect(sim.route(rtb, '10.0.0.0/16')).toMatchObject({ GatewayId: 'local', Origin: 'CreateRouteTable' });
    await expect(
      ec2.send(
        new ReplaceRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '192.168.0.0/16', LocalTarget: true }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it(`refuses two destinations, two targets, a non-canonical \
CIDR, the local route to a gateway and a propagated route`, async () => {
    const { ec2, standby, rtb } = fixture();
    const eni = { NetworkInterfaceId: standby.enis[0] };
    const cases: Array<[Record<string, string>, Record<string, string>, string]> = [
      [
        { DestinationCidrBlock: '192.168.0.0/16', DestinationPrefixListId: 'pl-0123456789abcdef0' },
        eni,
        'InvalidParameterCombination',
      ],
      [
        { DestinationCidrBlock: '192.168.0.0/16' },
        { ...eni, GatewayId: 'igw-0123456789abcdef0' },
        'InvalidParameterCombination',
      ],
      [{ DestinationCidrBlock: '192.168.0.1/16' }, eni, 'InvalidParameterValue'],
      [{ DestinationCidrBlock: '10.0.0.0/16' }, { GatewayId: 'igw-0123456789abcdef0' }, 'InvalidParameterValue'],
      [{ DestinationCidrBlock: '10.60.0.0/16' }, eni, 'InvalidParameterValue'],
      [{}, eni, 'MissingParameter'],
    ];
    for (const [dest, target, code] of cases) {
      await expect(ec2.send(replace(rtb, dest, target))).rejects.toMatchObject({ name: code });
    }
  });
});

describe('CreateRoute and DeleteRoute', () => {
  it(`create refuses an existing destination; delete removes \
a route and refuses a missing one or the local route`, async () => {
    const { sim, ec2, standby, rtb } = fixture();
    await expect(
      ec2.send(
        new CreateRouteCommand({
          RouteTableId: rtb,
          DestinationCidrBlock: '192.168.0.0/16',
          NetworkInterfaceId: standby.enis[0],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'RouteAlreadyExists',
    });
    await ec2.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '192.168.0.0/16' }));
    expect(sim.route(rtb, '192.168.0.0/16')).toBeUndefined();
    await expect(
      ec2.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '192.168.0.0/16' })),
    ).rejects.toMatchObject({
      name: 'InvalidRoute.NotFound',
      message: `no route with destination-cidr-block 192.168.0.0/16 in route table ${rtb}`,
    });
    const created = await ec2.send(
      new CreateRouteCommand({
        RouteTableId: rtb,
        DestinationCidrBlock: '192.168.0.0/16',
        NetworkInterfaceId: standby.enis[0],
      }),
    );
    expect(created.Return).toBe(true);
    expect(sim.route(rtb, '192.168.0.0/16')).toMatchObject({
      NetworkInterfaceId: standby.enis[0],
      Origin: 'CreateRoute',
    });
    await expect(
      ec2.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '10.0.0.0/16' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(sim.mutatingCalls().map((c) => c.action)).toEqual(['DeleteRoute', 'CreateRoute']);
  });
});

describe('DescribeInstances, DescribeInstanceStatus, DescribeNetworkInterfaces', () => {
  it('describes an instance with its interfaces paired by device index', async () => {
    const { ec2, vpcId, router } = fixture();
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [router.instanceId] }));
    const [instance] = out.Reservations?.[0]?.Instances ?? [];
    expect(instance).toMatchObject({
      InstanceId: router.instanceId,
      State: { Code: 16, Name: 'running' },
      Placement: { AvailabilityZone: 'us-east-1a' },
      VpcId: vpcId,
      Tags: [{ Key: 'Name', Value: 'router' }],
    });
    expect(
      instance.NetworkInterfaces?.map((n) => [
        n.NetworkInterfaceId,
        n.Attachment?.DeviceIndex,
        n.SourceDestCheck,
        n.Status,
        n.Attachment?.Status,
      ]),
    ).toEqual([
      [router.enis[0], 0, false, 'in-use', 'attached'],
      [router.enis[1], 1, false, 'in-use', 'attached'],
    ]);
  });

  it('keeps a terminated instance, with state code 48 and no interfaces', async () => {
    const { sim, ec2, router } = fixture();
    sim.setInstanceState(router.instanceId, 'terminated');
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [router.instanceId] }));
    const [instance] = out.Reservations?.[0]?.Instances ?? [];
    expect(instance.State).toEqual({ Code: 48, Name: 'terminated' });
    expect(instance.NetworkInterfaces).toEqual([]);
  });

  it('fails on unknown IDs and filters by vpc-id and instance-state-name', async () => {
    const { sim, ec2, vpcId, router, standby } = fixture();
    await expect(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [router.instanceId, 'i-00000000000000000'] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      message: "The instance ID 'i-00000000000000000' does not exist",
    });
    sim.setInstanceState(standby.instanceId, 'stopped');
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'instance-state-name', Values: ['stopped', 'stopping'] },
        ],
      }),
    );
    expect(out.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([standby.instanceId]);
  });

  it('paginates instances (MaxResults 5..1000, not with InstanceIds)', async () => {
    const { sim, ec2, vpcId, router } = fixture();
    for (let i = 0; i < 4; i++) sim.addInstance({ vpcId, availabilityZone: 'us-east-1c' });
    const ids: string[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) {
      ids.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? ''));
    }
    expect(new Set(ids).size).toBe(7);
    await expect(ec2.send(new DescribeInstancesCommand({ MaxResults: 1001 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(
      ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [router.instanceId] })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
    });
  });

  it('reports status checks of running instances, and the others only with IncludeAllInstances', async () => {
    const { sim, ec2, router, standby } = fixture();
    sim.setInstanceStatusCheck(router.instanceId, 'impaired');
    sim.setInstanceState(standby.instanceId, 'stopped');
    const InstanceIds = [router.instanceId, standby.instanceId];
    const running = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds }));
    expect(
      running.InstanceStatuses?.map((s) => [s.InstanceId, s.InstanceStatus?.Status, s.SystemStatus?.Status]),
    ).toEqual([[router.instanceId, 'impaired', 'ok']]);
    const all = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds, IncludeAllInstances: true }));
    expect(all.InstanceStatuses?.[1]).toMatchObject({
      InstanceState: { Code: 80, Name: 'stopped' },
      InstanceStatus: { Status: 'not-applicable' },
    });
  });

  it('describes interfaces by attachment.instance-id and fails on unknown IDs', async () => {
    const { ec2, router } = fixture();
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [router.instanceId] }],
      }),
    );
    expect(
      out.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.Attachment?.DeviceIndex, n.Attachment?.InstanceId]),
    ).toEqual([
      [router.enis[0], 0, router.instanceId],
      [router.enis[1], 1, router.instanceId],
    ]);
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-00000000000000000'] })),
    ).rejects.toMatchObject({
      name: 'InvalidNetworkInterfaceID.NotFound',
    });
  });
});

describe('fault injection', () => {
  const move = (f: ReturnType<typeof fixture>, i = 0) =>
    f.ec2.send(
      replace(f.rtb, { DestinationCidrBlock: '192.168.0.0/16' }, { NetworkInterfaceId: f.standby.enis[i % 2] }),
    );

  it('fails the given number of calls with a throttling error and no effect, then lets calls through', async () => {
    const f = fixture();
    f.sim.injectFault({ action: 'ReplaceRoute', code: 'RequestLimitExceeded', times: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await move(f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EC2ServiceException);
      expect(err).toMatchObject({
        name: 'RequestLimitExceeded',
        message: 'Request limit exceeded.',
        $metadata: { httpStatusCode: 503 },
      });
    }
    expect(f.sim.route(f.rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(f.router.enis[0]);
    await move(f);
    expect(f.sim.route(f.rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(f.standby.enis[0]);
    expect(f.sim.calls.map((c) => c.error)).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded', undefined]);
    expect(f.sim.mutatingCalls()).toHaveLength(1);
  });

  it('draws probabilistic faults from the seed: same seed, same failures', async () => {
    const pattern = async (seed: number) => {
      const f = fixture({ seed });
      f.sim.injectFault({ action: 'ReplaceRoute', code: 'RequestLimitExceeded', probability: 0.5 });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 40; i++)
        outcomes.push(
          await move(f, i).then(
            () => true,
            () => false,
          ),
        );
      return outcomes;
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(a.filter(Boolean).length).toBeGreaterThan(5);
    expect(a.filter((ok) => !ok).length).toBeGreaterThan(5);
    expect(await pattern(8)).not.toEqual(a);
  });

  it('only hits calls selected by `when`, and server faults carry $fault server', async () => {
    const f = fixture();
    f.sim.injectFault({
      action: 'ReplaceRoute',
      code: 'InternalError',
      when: (input) => input.DestinationPrefixListId !== undefined,
    });
    await move(f);
    const err = await f.ec2
      .send(
        replace(f.rtb, { DestinationPrefixListId: 'pl-0123456789abcdef0' }, { NetworkInterfaceId: f.standby.enis[0] }),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
  });

  it("'after' faults apply the change and lose the response", async () => {
    const f = fixture();
    f.sim.injectFault({ action: 'ReplaceRoute', code: 'InternalError', phase: 'after', times: 1 });
    await expect(move(f)).rejects.toMatchObject({ name: 'InternalError' });
    expect(f.sim.route(f.rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(f.standby.enis[0]);
    expect(f.sim.mutatingCalls()).toHaveLength(1);
  });

  it('removes faults one by one or all at once', async () => {
    const f = fixture();
    const id = f.sim.injectFault({ action: '*', code: 'UnauthorizedOperation' });
    await expect(f.ec2.send(new DescribeRouteTablesCommand({}))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      $metadata: { httpStatusCode: 403 },
    });
    f.sim.removeFault(id);
    await f.ec2.send(new DescribeRouteTablesCommand({}));
    f.sim.injectFault({ action: 'DescribeRouteTables', code: 'Unavailable' });
    f.sim.clearFaults();
    await f.ec2.send(new DescribeRouteTablesCommand({}));
  });
});

describe('observability and latency', () => {
  it('records a copy of every input, counts calls and keeps mutations apart', async () => {
    const { sim, ec2, standby, rtb } = fixture();
    const input = { RouteTableId: rtb, DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: standby.enis[0] };
    await ec2.send(new ReplaceRouteCommand(input));
    input.NetworkInterfaceId = 'changed-afterwards';
    await ec2.send(new DescribeRouteTablesCommand({}));
    expect(sim.callCounts()).toEqual({ ReplaceRoute: 1, DescribeRouteTables: 1 });
    expect(sim.mutatingCalls()).toEqual([
      expect.objectContaining({
        action: 'ReplaceRoute',
        input: expect.objectContaining({ NetworkInterfaceId: standby.enis[0] }),
      }),
    ]);
    const snapshot = sim.routeTables();
    snapshot[0].Routes = [];
    expect(sim.routeTables()[0].Routes?.length).toBeGreaterThan(0);
  });

  it('waits the per-action latency and sets no timer when latency is 0', async () => {
    const slow = fixture({ latencyMs: { ReplaceRoute: 40 } });
    const started = Date.now();
    await slow.ec2.send(
      replace(slow.rtb, { DestinationCidrBlock: '192.168.0.0/16' }, { NetworkInterfaceId: slow.standby.enis[0] }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);

    const fast = fixture();
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      await fast.ec2.send(new DescribeRouteTablesCommand({}));
      expect(timers).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
    }
  });
});

describe('SNS Publish', () => {
  const publish = (f: ReturnType<typeof fixture>, input: Record<string, unknown>) =>
    f.sns.send(new PublishCommand({ Message: 'hello', ...input }));

  it('accepts a message on a created topic and records it', async () => {
    const f = fixture();
    const TopicArn = f.sim.createTopic('route-failover');
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:route-failover');
    const MessageAttributes = {
      group: { DataType: 'String', StringValue: 'edge' },
      routes: { DataType: 'Number', StringValue: '16' },
    };
    const out = await publish(f, { TopicArn, Subject: 'x'.repeat(100), MessageAttributes });
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.sim.published).toEqual([
      { TopicArn, Subject: 'x'.repeat(100), Message: 'hello', MessageAttributes, MessageId: out.MessageId },
    ]);
  });

  it('refuses an unknown topic with NotFoundException', async () => {
    const f = fixture();
    const err = await publish(f, { TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err).toMatchObject({ name: 'NotFoundException', $fault: 'client', $metadata: { httpStatusCode: 404 } });
  });

  it.each([
    ['101 characters', 'x'.repeat(101)],
    ['a line break', 'route failover\nedge'],
    ['non-ASCII text', 'failover → router-b'],
    ['a leading space', ' failover'],
    ['an empty subject', ''],
  ])('refuses a Subject with %s', async (_why, Subject) => {
    const f = fixture();
    const err = await publish(f, { TopicArn: f.sim.createTopic('t'), Subject }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Subject' });
    expect(f.sim.published).toEqual([]);
  });

  it('refuses an empty or oversized message and an attribute without a value', async () => {
    const f = fixture();
    const TopicArn = f.sim.createTopic('t');
    await expect(publish(f, { TopicArn, Message: '' })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(publish(f, { TopicArn, Message: 'x'.repeat(262145) })).rejects.toMatchObject({
      message: 'Invalid parameter: Message too long',
    });
    await publish(f, { TopicArn, Message: 'x'.repeat(262144) });
    await expect(publish(f, { TopicArn, MessageAttributes: { a: { DataType: 'String' } } })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('can be throttled by fault injection', async () => {
    const f = fixture();
    const TopicArn = f.sim.createTopic('t');
    f.sim.injectFault({ action: 'Publish', code: 'Throttled', times: 1 });
    const err = await publish(f, { TopicArn }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThrottledException);
    expect(err).toMatchObject({ name: 'ThrottledException', Code: 'Throttled' });
    await publish(f, { TopicArn });
    expect(f.sim.published).toHaveLength(1);
  });
});
