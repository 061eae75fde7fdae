/**
 * The address actions through a real EC2Client, over HTTP, against the Query endpoint (serializers and XML parsers).
 */
import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  EC2Client,
  UnassignPrivateIpAddressesCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedVpc } from '../../sim';
import { startQueryEndpoint, type QueryEndpoint } from '../../sim/query-endpoint';

let endpoint: QueryEndpoint | undefined;
let client: EC2Client | undefined;
afterEach(async () => {
  client?.destroy();
  await endpoint?.close();
  endpoint = undefined;
  client = undefined;
});

it('moves two Elastic IPs and a secondary IP with the real SDK, and reads them back as EC2 shows them', async () => {
  const sim = new SimulatedVpc({ seed: 5 });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const subnet = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.1.0/24' });
  const inside = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.3.0/24' });
  const a = sim.addInstance({ vpcId, availabilityZone: 'us-east-1a', subnetId: subnet });
  const b = sim.addInstance({ vpcId, availabilityZone: 'us-east-1a', subnetId: subnet });
  const a0 = sim.addNetworkInterface({ vpcId, instanceId: a, subnetId: subnet, privateIpAddress: '10.0.1.10' });
  const a1 = sim.addNetworkInterface({ vpcId, instanceId: a, subnetId: inside, privateIpAddress: '10.0.3.10' });
  const b0 = sim.addNetworkInterface({ vpcId, instanceId: b, subnetId: subnet, privateIpAddress: '10.0.1.20' });
  const b1 = sim.addNetworkInterface({ vpcId, instanceId: b, subnetId: inside, privateIpAddress: '10.0.3.20' });
  const vip = sim.addSecondaryPrivateIp(a1, '10.0.3.100');
  const eip0 = sim.allocateAddress({ publicIp: '203.0.113.10', tags: { Name: 'vpn <outside> & "a"' } });
  const eip1 = sim.allocateAddress({ publicIp: '203.0.113.11' });
  endpoint = await startQueryEndpoint(sim);
  client = new EC2Client({
    region: 'us-east-1',
    endpoint: endpoint.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  const ec2 = client;

  const first = await ec2.send(
    new AssociateAddressCommand({
      AllocationId: eip0,
      NetworkInterfaceId: a0,
      PrivateIpAddress: '10.0.1.10',
      AllowReassociation: true,
    }),
  );
  expect(first.AssociationId).toMatch(/^eipassoc-/);
  await ec2.send(new AssociateAddressCommand({ AllocationId: eip1, NetworkInterfaceId: a1, PrivateIpAddress: vip }));

  // The switch: eth0's address to the standby's eth0, the secondary IP (and its address) to eth1.
  await expect(
    ec2.send(
      new AssociateAddressCommand({
        AllocationId: eip0,
        NetworkInterfaceId: b0,
        AllowReassociation: true,
        DryRun: true,
      }),
    ),
  ).rejects.toMatchObject({
    name: 'DryRunOperation',
    $metadata: { httpStatusCode: 412 },
  });
  await expect(
    ec2.send(new AssociateAddressCommand({ AllocationId: eip0, NetworkInterfaceId: b0, AllowReassociation: false })),
  ).rejects.toMatchObject({ name: 'Resource.AlreadyAssociated' });
  const moved = await ec2.send(
    new AssociateAddressCommand({ AllocationId: eip0, NetworkInterfaceId: b0, AllowReassociation: true }),
  );
  await expect(
    ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: b1, PrivateIpAddresses: [vip] })),
  ).rejects.toMatchObject({ name: 'PrivateIpAddressInUse' });
  const assigned = await ec2.send(
    new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: b1, PrivateIpAddresses: [vip], AllowReassignment: true }),
  );
  expect(assigned).toMatchObject({ NetworkInterfaceId: b1, AssignedPrivateIpAddresses: [{ PrivateIpAddress: vip }] });
  await expect(
    ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: b0,
        PrivateIpAddresses: ['10.0.3.101'],
        AllowReassignment: true,
      }),
    ),
  ).rejects.toMatchObject({
    name: 'InvalidParameterValue',
  });

  const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip0, eip1] }));
  expect(Addresses).toEqual([
    {
      AllocationId: eip0,
      PublicIp: '203.0.113.10',
      Domain: 'vpc',
      PublicIpv4Pool: 'amazon',
      NetworkBorderGroup: 'us-east-1',
      AssociationId: moved.AssociationId,
      NetworkInterfaceId: b0,
      NetworkInterfaceOwnerId: '123456789012',
      PrivateIpAddress: '10.0.1.20',
      InstanceId: b,
      Tags: [{ Key: 'Name', Value: 'vpn <outside> & "a"' }],
    },
    expect.objectContaining({ AllocationId: eip1, NetworkInterfaceId: b1, PrivateIpAddress: vip, InstanceId: b }),
  ]);
  const byFilter = await ec2.send(
    new DescribeAddressesCommand({
      Filters: [
        { Name: 'instance-id', Values: [b] },
        { Name: 'tag:Name', Values: ['vpn*'] },
      ],
    }),
  );
  expect(byFilter.Addresses?.map((x) => x.AllocationId)).toEqual([eip0]);

  const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [b1] }));
  expect(NetworkInterfaces?.[0].PrivateIpAddresses).toEqual([
    { Primary: true, PrivateIpAddress: '10.0.3.20' },
    {
      Primary: false,
      PrivateIpAddress: vip,
      Association: {
        AllocationId: eip1,
        AssociationId: expect.stringMatching(/^eipassoc-/),
        PublicIp: '203.0.113.11',
        IpOwnerId: '123456789012',
        PublicDnsName: '',
      },
    },
  ]);
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [b] }));
  const instance = Reservations?.[0].Instances?.[0];
  expect(instance?.PublicIpAddress).toBe('203.0.113.10');
  expect(instance?.NetworkInterfaces?.find((n) => n.NetworkInterfaceId === b1)?.PrivateIpAddresses?.[1]).toMatchObject({
    PrivateIpAddress: vip,
    Association: { PublicIp: '203.0.113.11' },
  });

  await ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: b1, PrivateIpAddresses: [vip] }));
  await ec2.send(new DisassociateAddressCommand({ AssociationId: moved.AssociationId }));
  expect(sim.address(eip0)?.AssociationId).toBeUndefined();
  expect(sim.address(eip1)?.AssociationId).toBeUndefined();
  expect(endpoint.requests.filter((r) => r.status === 500)).toEqual([]);
});
