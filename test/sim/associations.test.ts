import {
  AssociateRouteTableCommand,
  CreateRouteTableCommand,
  CreateTagsCommand,
  DeleteRouteTableCommand,
  DeleteTagsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DisableVgwRoutePropagationCommand,
  EnableVgwRoutePropagationCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  paginateDescribeSubnets,
  type Filter,
} from '@aws-sdk/client-ec2';
import { SimulatedVpc } from '../../sim';

const VGW = 'vgw-0123456789abcdef0';
const IGW = 'igw-0123456789abcdef0';

/** A VPC with a main table, a router table (routes to the router's ENI, a propagated VGW route), and two subnets. */
const fixture = (opts: { now?: () => number } = {}) => {
  const sim = new SimulatedVpc({ seed: 7, throttling: opts.now ? { clock: opts.now } : undefined });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16', ipv6Cidr: '2600:1f18:abcd:1200::/56' });
  const router = sim.addInstance({ vpcId, availabilityZone: 'us-east-1a' });
  const eni = sim.addNetworkInterface({ vpcId, instanceId: router, sourceDestCheck: false });
  const main = sim.addRouteTable({ vpcId, main: true, tags: { Name: 'main' } });
  const rtb = sim.addRouteTable({ vpcId, tags: { Name: 'private-a' } });
  sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: eni });
  sim.addRoute(rtb, { DestinationCidrBlock: '172.16.0.0/12', GatewayId: VGW, Origin: 'EnableVgwRoutePropagation' });
  const twin = sim.addRouteTable({ vpcId, tags: { Name: 'private-a-twin' } });
  const subnetA = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.1.0/24' });
  const subnetB = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1b', cidr: '10.0.2.0/24' });
  return { sim, ec2: sim.ec2(), vpcId, router, eni, main, rtb, twin, subnetA, subnetB };
};

const tableIds = async (f: ReturnType<typeof fixture>, Filters: Filter[]) =>
  ((await f.ec2.send(new DescribeRouteTablesCommand({ Filters }))).RouteTables ?? []).map((t) => t.RouteTableId);

describe('subnets', () => {
  it(`are registered with a CIDR (given, or the next free \
block), and DescribeSubnets shows and filters them`, async () => {
    const f = fixture();
    const auto = f.sim.addSubnet({
      vpcId: f.vpcId,
      availabilityZone: 'us-east-1c',
      ipv6Cidr: '2600:1f18:abcd:1201::/64',
    });
    const all =
      (await f.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [f.vpcId] }] }))).Subnets ??
      [];
    const byId = Object.fromEntries(all.map((n) => [n.SubnetId, n]));
    expect(byId[f.subnetA]).toMatchObject({
      VpcId: f.vpcId,
      CidrBlock: '10.0.1.0/24',
      AvailabilityZone: 'us-east-1a',
      State: 'available',
      AvailableIpAddressCount: 251,
    });
    // The router's implicit subnet took 10.0.0.0/24; the explicit ones 10.0.1.0/24 and 10.0.2.0/24.
    expect(byId[auto]).toMatchObject({
      CidrBlock: '10.0.3.0/24',
      Ipv6CidrBlockAssociationSet: [
        { Ipv6CidrBlock: '2600:1f18:abcd:1201::/64', Ipv6CidrBlockState: { State: 'associated' } },
      ],
    });
    const inB = await f.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] }),
    );
    expect(inB.Subnets?.map((n) => n.SubnetId)).toEqual([f.subnetB]);
    await expect(
      f.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-00000000000000000'] })),
    ).rejects.toMatchObject({ name: 'InvalidSubnetID.NotFound' });
    for (const az of ['a', 'b', 'c']) f.sim.addSubnet({ vpcId: f.vpcId, availabilityZone: `us-east-1${az}` });
    const pages = [];
    for await (const page of paginateDescribeSubnets({ client: f.ec2, pageSize: 5 }, {}))
      pages.push(page.Subnets?.length);
    expect(pages).toEqual([5, 2]);
  });

  it('refuse a CIDR outside the VPC or overlapping another subnet', () => {
    const f = fixture();
    expect(() => f.sim.addSubnet({ vpcId: f.vpcId, availabilityZone: 'us-east-1a', cidr: '10.1.0.0/24' })).toThrow(
      expect.objectContaining({ name: 'InvalidSubnet.Range' }),
    );
    expect(() => f.sim.addSubnet({ vpcId: f.vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.1.128/25' })).toThrow(
      expect.objectContaining({ name: 'InvalidSubnet.Conflict' }),
    );
  });

  it('named by addInstance but never added are registered implicitly, in the instance VPC and AZ', async () => {
    const f = fixture();
    f.sim.addInstance({ vpcId: f.vpcId, availabilityZone: 'us-east-1b', subnetId: 'subnet-0aaaabbbbccccdddd' });
    const out = await f.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0aaaabbbbccccdddd'] }));
    expect(out.Subnets).toEqual([expect.objectContaining({ VpcId: f.vpcId, AvailabilityZone: 'us-east-1b' })]);
    expect(f.sim.effectiveRouteTableId('subnet-0aaaabbbbccccdddd')).toBe(f.main);
  });
});

describe('associations', () => {
  it(`a subnet uses the main table until explicitly associated, \
and then that table; associating twice is refused`, async () => {
    const f = fixture();
    expect(f.sim.effectiveRouteTableId(f.subnetA)).toBe(f.main);
    expect(f.sim.effectiveRoutes(f.subnetA).map((r) => r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock)).toEqual([
      '10.0.0.0/16',
      '2600:1f18:abcd:1200::/56',
    ]);
    const assoc = f.sim.associateRouteTable(f.rtb, { subnetId: f.subnetA });
    expect(assoc).toMatch(/^rtbassoc-[0-9a-f]{17}$/);
    expect(f.sim.effectiveRouteTableId(f.subnetA)).toBe(f.rtb);
    expect(f.sim.effectiveRouteTableId(f.subnetB)).toBe(f.main);
    const [described] =
      (await f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.rtb] }))).RouteTables ?? [];
    expect(f.sim.effectiveRoutes(f.subnetA)).toEqual(described.Routes);
    expect(described.Associations).toEqual([
      {
        Main: false,
        RouteTableAssociationId: assoc,
        RouteTableId: f.rtb,
        SubnetId: f.subnetA,
        AssociationState: { State: 'associated' },
      },
    ]);
    expect(() => f.sim.associateRouteTable(f.twin, { subnetId: f.subnetA })).toThrow(
      expect.objectContaining({ name: 'Resource.AlreadyAssociated' }),
    );
    const otherVpc = f.sim.addVpc({ cidr: '10.9.0.0/16' });
    const elsewhere = f.sim.addSubnet({ vpcId: otherVpc, availabilityZone: 'us-east-1a' });
    await expect(
      f.ec2.send(new AssociateRouteTableCommand({ RouteTableId: f.rtb, SubnetId: elsewhere })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it(`ReplaceRouteTableAssociation moves a subnet to the \
twin under a new association ID; the old ID is gone`, async () => {
    const f = fixture();
    const old = f.sim.associateRouteTable(f.rtb, { subnetId: f.subnetA });
    const out = await f.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: old, RouteTableId: f.twin }));
    expect(out.NewAssociationId).toMatch(/^rtbassoc-/);
    expect(out.NewAssociationId).not.toBe(old);
    expect(out.AssociationState).toEqual({ State: 'associated' });
    expect(f.sim.effectiveRouteTableId(f.subnetA)).toBe(f.twin);
    expect(f.sim.associations(f.rtb)).toEqual([]);
    expect(f.sim.associations(f.twin)).toEqual([
      expect.objectContaining({ RouteTableAssociationId: out.NewAssociationId, SubnetId: f.subnetA, Main: false }),
    ]);
    await expect(
      f.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: old, RouteTableId: f.rtb })),
    ).rejects.toMatchObject({
      name: 'InvalidAssociationID.NotFound',
      message: `The association ID '${old}' does not exist`,
    });
    expect(f.sim.mutatingCalls().map((c) => c.action)).toEqual(['ReplaceRouteTableAssociation']);
  });

  it(`works for a gateway edge association and for the \
main association (the target becomes the main table)`, async () => {
    const f = fixture();
    const edge = f.sim.associateRouteTable(f.rtb, { gatewayId: IGW });
    expect(() => f.sim.associateRouteTable(f.twin, { gatewayId: IGW })).toThrow(
      expect.objectContaining({ name: 'Resource.AlreadyAssociated' }),
    );
    const moved = await f.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: edge, RouteTableId: f.twin }),
    );
    expect(f.sim.associations(f.twin)).toEqual([
      {
        Main: false,
        RouteTableAssociationId: moved.NewAssociationId,
        RouteTableId: f.twin,
        GatewayId: IGW,
        AssociationState: { State: 'associated' },
      },
    ]);

    const [mainAssoc] = f.sim.associations(f.main);
    expect(mainAssoc.Main).toBe(true);
    const out = await f.ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: mainAssoc.RouteTableAssociationId,
        RouteTableId: f.rtb,
      }),
    );
    expect(f.sim.mainRouteTableId(f.vpcId)).toBe(f.rtb);
    expect(f.sim.associations(f.main)).toEqual([]);
    expect(f.sim.effectiveRouteTableId(f.subnetB)).toBe(f.rtb);
    expect(await tableIds(f, [{ Name: 'association.main', Values: ['true'] }])).toEqual([f.rtb]);
    expect(
      await tableIds(f, [{ Name: 'association.route-table-association-id', Values: [out.NewAssociationId as string] }]),
    ).toEqual([f.rtb]);
  });

  it(`validates before DryRun, answers DryRunOperation \
without a change, and names bad tables and associations`, async () => {
    const f = fixture();
    const assoc = f.sim.associateRouteTable(f.rtb, { subnetId: f.subnetA });
    const send = (AssociationId: string | undefined, RouteTableId: string | undefined, DryRun?: boolean) =>
      f.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId, RouteTableId, DryRun } as never));
    await expect(send(assoc, f.twin, true)).rejects.toMatchObject({
      name: 'DryRunOperation',
      $metadata: { httpStatusCode: 412 },
    });
    await expect(send(assoc, 'rtb-00000000000000000', true)).rejects.toMatchObject({
      name: 'InvalidRouteTableID.NotFound',
    });
    await expect(send(assoc, 'rtb-nope')).rejects.toMatchObject({ name: 'InvalidRouteTableId.Malformed' });
    await expect(send('rtbassoc-00000000000000000', f.twin, true)).rejects.toMatchObject({
      name: 'InvalidAssociationID.NotFound',
    });
    await expect(send(undefined, f.twin)).rejects.toMatchObject({ name: 'MissingParameter' });
    const otherVpc = f.sim.addVpc({ cidr: '10.9.0.0/16' });
    const foreign = f.sim.addRouteTable({ vpcId: otherVpc });
    await expect(send(assoc, foreign)).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('belong to different networks'),
    });
    expect(f.sim.effectiveRouteTableId(f.subnetA)).toBe(f.rtb);
    expect(f.sim.associations(f.rtb)[0].RouteTableAssociationId).toBe(assoc);
    expect(f.sim.mutatingCalls()).toEqual([]);
  });

  it(`has its own token bucket: 50 at once, then RequestLimitExceeded, \
while ReplaceRoute still has all of its tokens`, async () => {
    const f = fixture({ now: () => 0 });
    let assoc = f.sim.associateRouteTable(f.rtb, { subnetId: f.subnetA });
    for (let i = 0; i < 50; i++) {
      const out = await f.ec2.send(
        new ReplaceRouteTableAssociationCommand({ AssociationId: assoc, RouteTableId: i % 2 === 0 ? f.twin : f.rtb }),
      );
      assoc = out.NewAssociationId as string;
    }
    await expect(
      f.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: assoc, RouteTableId: f.twin })),
    ).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    expect(f.sim.effectiveRouteTableId(f.subnetA)).toBe(f.rtb);
    await f.ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: f.rtb,
        DestinationCidrBlock: '192.168.0.0/16',
        NetworkInterfaceId: f.eni,
      }),
    );
    expect(f.sim.tokens()).toMatchObject({ ReplaceRouteTableAssociation: 0, ReplaceRoute: 49 });
    expect(f.sim.mutatingCalls()).toHaveLength(51);
  });

  it('DescribeRouteTables filters by association subnet, gateway, table and main', async () => {
    const f = fixture();
    f.sim.associateRouteTable(f.rtb, { subnetId: f.subnetA });
    f.sim.associateRouteTable(f.twin, { gatewayId: VGW });
    expect(await tableIds(f, [{ Name: 'association.subnet-id', Values: [f.subnetA, f.subnetB] }])).toEqual([f.rtb]);
    expect(await tableIds(f, [{ Name: 'association.gateway-id', Values: [VGW] }])).toEqual([f.twin]);
    expect(await tableIds(f, [{ Name: 'association.route-table-id', Values: [f.twin, f.main] }])).toEqual([
      f.main,
      f.twin,
    ]);
    expect(await tableIds(f, [{ Name: 'association.main', Values: ['false'] }])).toEqual([f.rtb, f.twin]);
    expect(await tableIds(f, [{ Name: 'association.main', Values: ['true'] }])).toEqual([f.main]);
  });
});

describe('route table lifecycle', () => {
  it('CreateRouteTable makes a table with its local routes and the route-table tags', async () => {
    const f = fixture();
    const TagSpecifications = [
      {
        ResourceType: 'route-table' as const,
        Tags: [
          { Key: 'Name', Value: 'twin' },
          { Key: 'route-failover:twin-of', Value: f.rtb },
        ],
      },
    ];
    await expect(
      f.ec2.send(new CreateRouteTableCommand({ VpcId: f.vpcId, TagSpecifications, DryRun: true })),
    ).rejects.toMatchObject({ name: 'DryRunOperation' });
    const { RouteTable } = await f.ec2.send(new CreateRouteTableCommand({ VpcId: f.vpcId, TagSpecifications }));
    expect(RouteTable).toMatchObject({
      VpcId: f.vpcId,
      Associations: [],
      PropagatingVgws: [],
      Tags: TagSpecifications[0].Tags,
    });
    expect(RouteTable?.Routes).toEqual([
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      {
        DestinationIpv6CidrBlock: '2600:1f18:abcd:1200::/56',
        GatewayId: 'local',
        Origin: 'CreateRouteTable',
        State: 'active',
      },
    ]);
    expect(await tableIds(f, [{ Name: 'tag:route-failover:twin-of', Values: [f.rtb] }])).toEqual([
      RouteTable?.RouteTableId,
    ]);
    await expect(f.ec2.send(new CreateRouteTableCommand({ VpcId: 'vpc-00000000000000000' }))).rejects.toMatchObject({
      name: 'InvalidVpcID.NotFound',
    });
    await expect(
      f.ec2.send(
        new CreateRouteTableCommand({
          VpcId: f.vpcId,
          TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'a', Value: 'b' }] }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(f.sim.routeTables()).toHaveLength(4);
  });

  it('DeleteRouteTable is refused while a table has associations (the main one included)', async () => {
    const f = fixture();
    const assoc = f.sim.associateRouteTable(f.twin, { subnetId: f.subnetA });
    for (const RouteTableId of [f.twin, f.main]) {
      await expect(f.ec2.send(new DeleteRouteTableCommand({ RouteTableId }))).rejects.toMatchObject({
        name: 'DependencyViolation',
        message: `The routeTable '${RouteTableId}' has dependencies and cannot be deleted.`,
      });
    }
    await f.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: assoc, RouteTableId: f.rtb }));
    await expect(f.ec2.send(new DeleteRouteTableCommand({ RouteTableId: f.twin, DryRun: true }))).rejects.toMatchObject(
      { name: 'DryRunOperation' },
    );
    await f.ec2.send(new DeleteRouteTableCommand({ RouteTableId: f.twin }));
    await expect(f.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [f.twin] }))).rejects.toMatchObject({
      name: 'InvalidRouteTableID.NotFound',
    });
  });

  it('CreateTags and DeleteTags change the tags of route tables and subnets, all or nothing', async () => {
    const f = fixture();
    await f.ec2.send(
      new CreateTagsCommand({
        Resources: [f.twin, f.subnetA],
        Tags: [
          { Key: 'role', Value: 'twin' },
          { Key: 'tier', Value: 'a' },
        ],
      }),
    );
    expect(f.sim.routeTables().find((t) => t.RouteTableId === f.twin)?.Tags).toEqual([
      { Key: 'Name', Value: 'private-a-twin' },
      { Key: 'role', Value: 'twin' },
      { Key: 'tier', Value: 'a' },
    ]);
    const [subnet] =
      (await f.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:role', Values: ['twin'] }] }))).Subnets ??
      [];
    expect(subnet.SubnetId).toBe(f.subnetA);
    await expect(
      f.ec2.send(
        new CreateTagsCommand({ Resources: [f.rtb, 'rtb-00000000000000000'], Tags: [{ Key: 'x', Value: 'y' }] }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidRouteTableID.NotFound',
    });
    await expect(
      f.ec2.send(new CreateTagsCommand({ Resources: [f.rtb], Tags: [{ Key: 'aws:x', Value: 'y' }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(f.sim.routeTables().find((t) => t.RouteTableId === f.rtb)?.Tags).toEqual([
      { Key: 'Name', Value: 'private-a' },
    ]);
    // A value that does not match keeps the tag; no value deletes it whatever it is.
    await f.ec2.send(
      new DeleteTagsCommand({ Resources: [f.twin], Tags: [{ Key: 'role', Value: 'other' }, { Key: 'tier' }] }),
    );
    expect(
      f.sim
        .routeTables()
        .find((t) => t.RouteTableId === f.twin)
        ?.Tags?.map((t) => t.Key),
    ).toEqual(['Name', 'role']);
  });

  it(`EnableVgwRoutePropagation shows the VGW and its routes on \
a twin; Disable removes both, and the original keeps its own`, async () => {
    const f = fixture();
    await f.ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: f.twin, GatewayId: VGW }));
    const twinOf = () => f.sim.routeTables().find((t) => t.RouteTableId === f.twin);
    expect(twinOf()?.PropagatingVgws).toEqual([{ GatewayId: VGW }]);
    expect(f.sim.route(f.twin, '172.16.0.0/12')).toEqual({
      DestinationCidrBlock: '172.16.0.0/12',
      GatewayId: VGW,
      Origin: 'EnableVgwRoutePropagation',
      State: 'active',
    });
    await f.ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: f.twin, GatewayId: VGW }));
    expect(twinOf()?.Routes?.filter((r) => r.GatewayId === VGW)).toHaveLength(1);
    await f.ec2.send(new DisableVgwRoutePropagationCommand({ RouteTableId: f.twin, GatewayId: VGW }));
    expect(twinOf()?.PropagatingVgws).toEqual([]);
    expect(f.sim.route(f.twin, '172.16.0.0/12')).toBeUndefined();
    expect(f.sim.route(f.rtb, '172.16.0.0/12')?.GatewayId).toBe(VGW);
    await expect(
      f.ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: f.twin, GatewayId: IGW })),
    ).rejects.toMatchObject({ name: 'InvalidVpnGatewayID.NotFound' });
    await expect(
      f.ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: f.twin, GatewayId: VGW, DryRun: true })),
    ).rejects.toMatchObject({ name: 'DryRunOperation' });
    expect(twinOf()?.PropagatingVgws).toEqual([]);
  });
});
