/** Elastic IPs and secondary private IPs in the simulated VPC, as EC2 answers them (sim/FIDELITY.md). */
import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  UnassignPrivateIpAddressesCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedVpc } from '../../sim';

const pair = (throttling: false | { clock: () => number } = false) => {
  const sim = new SimulatedVpc({ seed: 7, throttling });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const subnetA = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.1.0/24' });
  const subnetB = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1b', cidr: '10.0.2.0/24' });
  const a = sim.addInstance({ vpcId, availabilityZone: 'us-east-1a', subnetId: subnetA });
  const b = sim.addInstance({ vpcId, availabilityZone: 'us-east-1b', subnetId: subnetB });
  const a0 = sim.addNetworkInterface({ vpcId, instanceId: a, subnetId: subnetA, privateIpAddress: '10.0.1.10' });
  const a1 = sim.addNetworkInterface({ vpcId, instanceId: a, subnetId: subnetA, privateIpAddress: '10.0.1.11' });
  const b0 = sim.addNetworkInterface({ vpcId, instanceId: b, subnetId: subnetB, privateIpAddress: '10.0.2.10' });
  const a0b = sim.addNetworkInterface({ vpcId, subnetId: subnetA, privateIpAddress: '10.0.1.20' });
  return { sim, ec2: sim.ec2(), vpcId, subnetA, subnetB, a, b, a0, a1, b0, a0b };
};

describe('Elastic IPs', () => {
  it(`associates with an interface private IP, gives a \
new association ID each time, and shows it everywhere`, async () => {
    const { sim, ec2, a, a0, b0 } = pair();
    const eip = sim.allocateAddress({ tags: { 'route-failover:group': 'vpn' } });
    const first = await ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: a0 }));
    expect(first.AssociationId).toMatch(/^eipassoc-[0-9a-f]{17}$/);
    expect(sim.address(eip)).toMatchObject({
      NetworkInterfaceId: a0,
      PrivateIpAddress: '10.0.1.10',
      InstanceId: a,
      AssociationId: first.AssociationId,
    });

    const moved = await ec2.send(
      new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: b0, AllowReassociation: true }),
    );
    expect(moved.AssociationId).not.toBe(first.AssociationId);
    const { Addresses } = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: 'tag:route-failover:group', Values: ['vpn'] }] }),
    );
    expect(Addresses).toEqual([
      expect.objectContaining({
        AllocationId: eip,
        NetworkInterfaceId: b0,
        PrivateIpAddress: '10.0.2.10',
        Domain: 'vpc',
      }),
    ]);
    // The old association ID is gone.
    await expect(
      ec2.send(new DisassociateAddressCommand({ AssociationId: first.AssociationId })),
    ).rejects.toMatchObject({ name: 'InvalidAssociationID.NotFound' });

    const { NetworkInterfaces } = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [a0, b0] }),
    );
    const byId = Object.fromEntries((NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId, n]));
    expect(byId[b0].PrivateIpAddresses).toEqual([
      {
        Primary: true,
        PrivateIpAddress: '10.0.2.10',
        Association: expect.objectContaining({ AllocationId: eip, PublicIp: sim.address(eip)?.PublicIp }),
      },
    ]);
    expect(byId[a0].PrivateIpAddresses).toEqual([{ Primary: true, PrivateIpAddress: '10.0.1.10' }]);
  });

  it('refuses an address held elsewhere when AllowReassociation is false, and changes nothing', async () => {
    const { sim, ec2, a0, b0 } = pair();
    const eip = sim.allocateAddress();
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: a0 }));
    await expect(
      ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: b0, AllowReassociation: false })),
    ).rejects.toMatchObject({
      name: 'Resource.AlreadyAssociated',
      $metadata: { httpStatusCode: 400 },
    });
    expect(sim.address(eip)?.NetworkInterfaceId).toBe(a0);
  });

  it(`names a private IP not on the interface, an unknown interface, \
an unknown allocation, an instance with several interfaces`, async () => {
    const { sim, ec2, a, a0, b0 } = pair();
    const eip = sim.allocateAddress();
    await expect(
      ec2.send(
        new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: b0, PrivateIpAddress: '10.0.1.10' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: 'eni-0000000000000dead' })),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
    await expect(
      ec2.send(new AssociateAddressCommand({ AllocationId: 'eipalloc-0000000000000dead', NetworkInterfaceId: a0 })),
    ).rejects.toMatchObject({ name: 'InvalidAllocationID.NotFound' });
    await expect(ec2.send(new AssociateAddressCommand({ AllocationId: eip, InstanceId: a }))).rejects.toMatchObject({
      name: 'InvalidInstanceID',
    });
    expect(sim.address(eip)?.AssociationId).toBeUndefined();
  });

  it(`answers DryRunOperation for a valid request and does \
nothing; an invalid one fails on its own error first`, async () => {
    const { sim, ec2, a0, b0 } = pair();
    const eip = sim.allocateAddress();
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: a0 }));
    await expect(
      ec2.send(
        new AssociateAddressCommand({
          AllocationId: eip,
          NetworkInterfaceId: b0,
          AllowReassociation: true,
          DryRun: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'DryRunOperation' });
    await expect(
      ec2.send(
        new AssociateAddressCommand({
          AllocationId: eip,
          NetworkInterfaceId: b0,
          PrivateIpAddress: '10.0.9.9',
          DryRun: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(sim.address(eip)?.NetworkInterfaceId).toBe(a0);
    expect(sim.mutatingCalls().filter((c) => c.action === 'AssociateAddress')).toHaveLength(1);
  });

  it('takes the private IP from the Elastic IP already on it (that one stays allocated, on nothing)', async () => {
    const { sim, ec2, b0 } = pair();
    const [one, two] = [sim.allocateAddress(), sim.allocateAddress()];
    await ec2.send(new AssociateAddressCommand({ AllocationId: one, NetworkInterfaceId: b0 }));
    await ec2.send(new AssociateAddressCommand({ AllocationId: two, NetworkInterfaceId: b0 }));
    expect(sim.address(one)?.AssociationId).toBeUndefined();
    expect(sim.address(two)?.NetworkInterfaceId).toBe(b0);
  });

  it(`filters by association, interface, instance and \
public IP, and shows the instance its public address`, async () => {
    const { sim, ec2, b, b0 } = pair();
    const eip = sim.allocateAddress({ publicIp: '203.0.113.7' });
    sim.allocateAddress();
    const { AssociationId } = await ec2.send(
      new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: b0 }),
    );
    for (const [Name, value] of [
      ['association-id', AssociationId],
      ['network-interface-id', b0],
      ['instance-id', b],
      ['public-ip', '203.0.113.7'],
      ['allocation-id', eip],
    ]) {
      const { Addresses } = await ec2.send(
        new DescribeAddressesCommand({ Filters: [{ Name, Values: [String(value)] }] }),
      );
      expect(Addresses?.map((x) => x.AllocationId)).toEqual([eip]);
    }
    await expect(
      ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000dead'] })),
    ).rejects.toMatchObject({ name: 'InvalidAllocationID.NotFound' });
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [b] }));
    expect(Reservations?.[0].Instances?.[0].PublicIpAddress).toBe('203.0.113.7');
  });
});

describe('secondary private IPs', () => {
  it('moves a secondary IP within its subnet with AllowReassignment, and its Elastic IP moves with it', async () => {
    const { sim, ec2, a1, a0b } = pair();
    const ip = sim.addSecondaryPrivateIp(a1, '10.0.1.50');
    const eip = sim.allocateAddress();
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: a1, PrivateIpAddress: ip }));
    await expect(
      ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: a0b, PrivateIpAddresses: [ip] })),
    ).rejects.toMatchObject({ name: 'PrivateIpAddressInUse' });
    await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: a0b,
        PrivateIpAddresses: [ip],
        AllowReassignment: true,
      }),
    );
    expect(sim.address(eip)).toMatchObject({ NetworkInterfaceId: a0b, PrivateIpAddress: ip });
    const { NetworkInterfaces } = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: [ip] }] }),
    );
    expect(NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([a0b]);
    expect(NetworkInterfaces?.[0].PrivateIpAddresses?.[1]).toMatchObject({
      Primary: false,
      PrivateIpAddress: ip,
      Association: { AllocationId: eip },
    });
  });

  it(`refuses an IP outside the interface subnet (another \
AZ) and a primary IP, whatever AllowReassignment says`, async () => {
    const { sim, ec2, a1, b0 } = pair();
    const ip = sim.addSecondaryPrivateIp(a1);
    await expect(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: b0,
          PrivateIpAddresses: [ip],
          AllowReassignment: true,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining("does not fall within the subnet's address range"),
    });
    await expect(
      ec2.send(
        new AssignPrivateIpAddressesCommand({
          NetworkInterfaceId: a1,
          PrivateIpAddresses: ['10.0.1.10'],
          AllowReassignment: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      ec2.send(
        new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: 'eni-0000000000000dead', PrivateIpAddresses: [ip] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
    const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [a1] }));
    expect(NetworkInterfaces?.[0].PrivateIpAddresses?.map((p) => p.PrivateIpAddress)).toEqual(['10.0.1.11', ip]);
  });

  it('unassigning a secondary IP disassociates its Elastic IP', async () => {
    const { sim, ec2, a1 } = pair();
    const ip = sim.addSecondaryPrivateIp(a1);
    const eip = sim.allocateAddress();
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: a1, PrivateIpAddress: ip }));
    await ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: a1, PrivateIpAddresses: [ip] }));
    expect(sim.address(eip)?.AssociationId).toBeUndefined();
    await expect(
      ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: a1, PrivateIpAddresses: ['10.0.1.11'] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

it('throttles each address action in its own bucket', async () => {
  const { sim, ec2, a0, b0 } = pair({ clock: () => 0 });
  const eip = sim.allocateAddress();
  const results = await Promise.allSettled(
    Array.from({ length: 51 }, (_, i) =>
      ec2.send(new AssociateAddressCommand({ AllocationId: eip, NetworkInterfaceId: i % 2 ? a0 : b0 })),
    ),
  );
  expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual([
    'RequestLimitExceeded',
  ]);
  // AssignPrivateIpAddresses has a full bucket of its own.
  await ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: a0, PrivateIpAddresses: ['10.0.1.60'] }));
  expect(sim.tokens()).toMatchObject({ AssignPrivateIpAddresses: 49 });
});
