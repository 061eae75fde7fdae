/** The associations mode's EC2 calls through a real EC2Client, over HTTP, against the Query endpoint. */
import {
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateTagsCommand,
  DeleteRouteTableCommand,
  DeleteTagsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DisableVgwRoutePropagationCommand,
  EC2Client,
  EnableVgwRoutePropagationCommand,
  ReplaceRouteTableAssociationCommand,
  AssociateRouteTableCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedVpc } from '../../sim';
import { startQueryEndpoint, type QueryEndpoint } from '../../sim/query-endpoint';

const VGW = 'vgw-0123456789abcdef0';
let endpoint: QueryEndpoint | undefined;
let client: EC2Client | undefined;
afterEach(async () => {
  client?.destroy();
  await endpoint?.close();
  endpoint = undefined;
  client = undefined;
});

it('stages a twin and moves a subnet to it with the real SDK serializers and XML deserializers', async () => {
  const sim = new SimulatedVpc({ seed: 3 });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const router = sim.addInstance({ vpcId, availabilityZone: 'us-east-1a' });
  sim.addNetworkInterface({ vpcId, instanceId: router, sourceDestCheck: false });
  const standby = sim.addInstance({ vpcId, availabilityZone: 'us-east-1b' });
  const standbyEni = sim.addNetworkInterface({ vpcId, instanceId: standby, sourceDestCheck: false });
  sim.addRouteTable({ vpcId, main: true });
  const rtb = sim.addRouteTable({ vpcId, tags: { Name: 'private-a' } });
  sim.addRoute(rtb, { DestinationCidrBlock: '172.16.0.0/12', GatewayId: VGW, Origin: 'EnableVgwRoutePropagation' });
  const subnet = sim.addSubnet({
    vpcId,
    availabilityZone: 'us-east-1a',
    cidr: '10.0.8.0/24',
    ipv6Cidr: '2600:1f18:abcd:1208::/64',
    tags: { tier: 'app' },
  });
  const assoc = sim.associateRouteTable(rtb, { subnetId: subnet });
  endpoint = await startQueryEndpoint(sim);
  client = new EC2Client({
    region: 'us-east-1',
    endpoint: endpoint.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  const ec2 = client;

  const Tags = [{ Key: 'Name', Value: 'private-a <twin> & "b"' }];
  const created = await ec2.send(
    new CreateRouteTableCommand({
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'route-table', Tags }],
      ClientToken: 'tok-1',
    }),
  );
  const twin = created.RouteTable?.RouteTableId as string;
  expect(created).toMatchObject({
    ClientToken: 'tok-1',
    RouteTable: { VpcId: vpcId, Tags, Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }] },
  });
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: twin,
      DestinationCidrBlock: '192.168.0.0/16',
      NetworkInterfaceId: standbyEni,
    }),
  );
  await ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: twin, GatewayId: VGW }));
  await ec2.send(
    new CreateTagsCommand({
      Resources: [twin],
      Tags: [
        { Key: 'route-failover:twin-of', Value: rtb },
        { Key: 'scratch', Value: '1' },
      ],
    }),
  );
  await ec2.send(new DeleteTagsCommand({ Resources: [twin], Tags: [{ Key: 'scratch' }] }));

  const moved = await ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: assoc, RouteTableId: twin }));
  expect(moved.NewAssociationId).toMatch(/^rtbassoc-/);
  expect(moved.AssociationState).toEqual({ State: 'associated' });
  await expect(
    ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: assoc, RouteTableId: twin })),
  ).rejects.toMatchObject({
    name: 'InvalidAssociationID.NotFound',
    $metadata: { httpStatusCode: 400 },
  });
  await expect(ec2.send(new DeleteRouteTableCommand({ RouteTableId: twin }))).rejects.toMatchObject({
    name: 'DependencyViolation',
  });
  await expect(
    ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnet, DryRun: true })),
  ).rejects.toMatchObject({
    name: 'Resource.AlreadyAssociated',
  });

  const [table] =
    (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] })))
      .RouteTables ?? [];
  expect(table).toMatchObject({
    RouteTableId: twin,
    Associations: [
      {
        Main: false,
        RouteTableAssociationId: moved.NewAssociationId,
        RouteTableId: twin,
        SubnetId: subnet,
        AssociationState: { State: 'associated' },
      },
    ],
    PropagatingVgws: [{ GatewayId: VGW }],
    Tags: [...Tags, { Key: 'route-failover:twin-of', Value: rtb }],
  });
  expect(table.Routes?.map((r) => [r.DestinationCidrBlock, r.NetworkInterfaceId ?? r.GatewayId, r.Origin])).toEqual([
    ['10.0.0.0/16', 'local', 'CreateRouteTable'],
    ['192.168.0.0/16', standbyEni, 'CreateRoute'],
    ['172.16.0.0/12', VGW, 'EnableVgwRoutePropagation'],
  ]);
  expect(sim.effectiveRouteTableId(subnet)).toBe(twin);
  // Every field survives the XML: the HTTP answer equals the in-process one.
  expect(table).toEqual(sim.routeTables().find((t) => t.RouteTableId === twin));

  const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet] }));
  expect(subnets.Subnets).toEqual([
    expect.objectContaining({
      SubnetId: subnet,
      VpcId: vpcId,
      CidrBlock: '10.0.8.0/24',
      AvailabilityZone: 'us-east-1a',
      State: 'available',
    }),
  ]);
  expect(subnets.Subnets).toEqual((await sim.ec2().send(new DescribeSubnetsCommand({ SubnetIds: [subnet] }))).Subnets);
  expect(subnets.Subnets?.[0].Tags).toEqual([{ Key: 'tier', Value: 'app' }]);

  await ec2.send(new DisableVgwRoutePropagationCommand({ RouteTableId: twin, GatewayId: VGW }));
  const left = sim.routeTables().find((t) => t.RouteTableId === twin);
  expect(left?.PropagatingVgws).toEqual([]);
  expect(endpoint.requests.map((r) => `${r.action}:${r.status}`)).toEqual([
    'CreateRouteTable:200',
    'CreateRoute:200',
    'EnableVgwRoutePropagation:200',
    'CreateTags:200',
    'DeleteTags:200',
    'ReplaceRouteTableAssociation:200',
    'ReplaceRouteTableAssociation:400',
    'DeleteRouteTable:400',
    'AssociateRouteTable:400',
    'DescribeRouteTables:200',
    'DescribeSubnets:200',
    'DisableVgwRoutePropagation:200',
  ]);
});
