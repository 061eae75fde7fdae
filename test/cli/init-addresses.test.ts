/** route-failover init proposes the addresses it sees on the members, and names what cannot follow. */
import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { parseConfigJson } from '../../functions/contract/config';
import { SimulatedVpc } from '../../sim';
import { cliHarness } from './helpers';

const estate = async (opts: { sameZone: boolean }) => {
  const sim = new SimulatedVpc({ seed: 13 });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const outA = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.1.0/24' });
  const inA = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.3.0/24' });
  const zoneB = opts.sameZone ? 'us-east-1a' : 'us-east-1b';
  const outB = opts.sameZone ? outA : sim.addSubnet({ vpcId, availabilityZone: zoneB, cidr: '10.0.2.0/24' });
  const inB = opts.sameZone ? inA : sim.addSubnet({ vpcId, availabilityZone: zoneB, cidr: '10.0.4.0/24' });
  const a = sim.addInstance({ vpcId, availabilityZone: 'us-east-1a', subnetId: outA, tags: { Name: 'vpn-a' } });
  const b = sim.addInstance({ vpcId, availabilityZone: zoneB, subnetId: outB, tags: { Name: 'vpn-b' } });
  const a0 = sim.addNetworkInterface({
    vpcId,
    instanceId: a,
    subnetId: outA,
    privateIpAddress: '10.0.1.10',
    sourceDestCheck: false,
  });
  const a1 = sim.addNetworkInterface({
    vpcId,
    instanceId: a,
    subnetId: inA,
    privateIpAddress: '10.0.3.10',
    sourceDestCheck: false,
  });
  sim.addNetworkInterface({
    vpcId,
    instanceId: b,
    subnetId: outB,
    privateIpAddress: '10.0.1.20',
    sourceDestCheck: false,
  });
  sim.addNetworkInterface({
    vpcId,
    instanceId: b,
    subnetId: inB,
    privateIpAddress: '10.0.3.20',
    sourceDestCheck: false,
  });
  const eth0 = sim.allocateAddress({ publicIp: '203.0.113.10' });
  const eth1 = sim.allocateAddress({ publicIp: '203.0.113.11' });
  sim.allocateAddress({ publicIp: '203.0.113.99' });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eth0, NetworkInterfaceId: a0 }));
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eth1, NetworkInterfaceId: a1 }));
  const vip = sim.addSecondaryPrivateIp(a1, '10.0.3.100');
  return { sim, vpcId, a, b, eth0, eth1, vip, h: cliHarness({ ec2: sim.ec2() }) };
};

const args = (vpcId: string) => ['init', '--vpc', vpcId, '--member', 'vpn-a', '--member', 'vpn-b', '--group', 'vpn'];

it(`proposes the Elastic IPs on the members and a secondary \
IP that can follow, with the zones that keep it so`, async () => {
  const { vpcId, eth0, eth1, vip, h } = await estate({ sameZone: true });
  const r = await h.run(args(vpcId));
  expect(r.code).toBe(0);
  const group = parseConfigJson(r.stdout, 'init output').groups[0];
  expect(group.elasticIps).toEqual([eth0, eth1]);
  expect(group.secondaryPrivateIps).toEqual([vip]);
  expect(group.members.map((m) => m.availabilityZone)).toEqual(['us-east-1a', 'us-east-1a']);
  expect(r.stderr).toContain(
    `Elastic IP 203.0.113.10 (${eth0}) on vpn-a eth0 10.0.1.10: follows the active member's eth0`,
  );
  expect(r.stderr).toContain(`Elastic IP 203.0.113.11 (${eth1}) on vpn-a eth1 10.0.3.10`);
});

it('names a secondary IP that cannot cross zones and does not propose it; the Elastic IPs still follow', async () => {
  const { vpcId, eth0, eth1, h } = await estate({ sameZone: false });
  const r = await h.run(args(vpcId));
  expect(r.code).toBe(0);
  const group = parseConfigJson(r.stdout, 'init output').groups[0];
  expect(group.elasticIps).toEqual([eth0, eth1]);
  expect(group.secondaryPrivateIps).toBeUndefined();
  expect(r.stderr).toMatch(
    new RegExp(
      String.raw`warning: vpn-a's secondary private IP 10\.0\.3\.100 \(eth1, subnet-\w+\) cannot follow to ` +
        String.raw`vpn-b.*\(us-east-1a → us-east-1b\).*CrossZoneSecondaryIp`,
    ),
  );
});
