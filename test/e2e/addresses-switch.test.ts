/**
 * The address switch end to end on the simulated VPC, directly and through the real EC2 client over the Query
 * endpoint: a VPN router holding two Elastic IPs (eth0, eth1) fails over, fails back, rehearses, and a cross-zone
 * secondary private IP is refused before anything moves.
 */
import { AssociateAddressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { buildVpnPair, runAddressSwitch } from '../../bench/addresses';
import type { AddressSelection } from '../../functions/domain/addresses';
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

const setUp = async (sameZone = false) => {
  const sim = new SimulatedVpc({ seed: 11 });
  const pair = buildVpnPair(sim, { sameZone });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: pair.eth0, NetworkInterfaceId: pair.a0 }));
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: pair.eth1, NetworkInterfaceId: pair.a1 }));
  const members = [
    { name: 'vpn-a', instanceId: pair.a },
    { name: 'vpn-b', instanceId: pair.b },
  ];
  const selection: AddressSelection = { allocationIds: [pair.eth0, pair.eth1], slots: {}, secondaryIps: [] };
  return { sim, pair, members, selection };
};

const overHttp = async (sim: SimulatedVpc): Promise<EC2Client> => {
  endpoint = await startQueryEndpoint(sim);
  client = new EC2Client({
    region: 'us-east-1',
    endpoint: endpoint.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  return client;
};

describe.each([
  ['the simulated client', false],
  ['the real EC2 client over the Query endpoint', true],
])('through %s', (_label, http) => {
  it('fails a two-address VPN router over to the paired interfaces, verified, and back again', async () => {
    const { sim, pair, members, selection } = await setUp();
    const ec2 = http ? await overHttp(sim) : sim.ec2();
    const before = sim.calls.length;

    const over = await runAddressSwitch(ec2, { members, selection, target: 'vpn-b' });
    expect(sim.address(pair.eth0)).toMatchObject({
      NetworkInterfaceId: pair.b0,
      PrivateIpAddress: '10.0.2.20',
      InstanceId: pair.b,
    });
    expect(sim.address(pair.eth1)).toMatchObject({
      NetworkInterfaceId: pair.b1,
      PrivateIpAddress: '10.0.4.20',
      InstanceId: pair.b,
    });
    expect(over.verdicts.map((v) => v.status)).toEqual(['verified', 'verified']);
    expect(over.invariant.findings).toEqual([]);
    // EC2 calls of one run: 2 reads to plan, 2 writes, 1 read back.
    const calls = sim.calls.slice(before).map((c) => c.action);
    expect(calls.sort()).toEqual([
      'AssociateAddress',
      'AssociateAddress',
      'DescribeAddresses',
      'DescribeAddresses',
      'DescribeNetworkInterfaces',
    ]);

    const back = await runAddressSwitch(ec2, { members, selection, target: 'vpn-a' });
    expect(back.verdicts.map((v) => v.status)).toEqual(['verified', 'verified']);
    expect(sim.address(pair.eth0)).toMatchObject({ NetworkInterfaceId: pair.a0, PrivateIpAddress: '10.0.1.10' });
    expect(sim.address(pair.eth1)).toMatchObject({ NetworkInterfaceId: pair.a1, PrivateIpAddress: '10.0.3.10' });

    // Again: nothing to do, nothing written.
    const again = await runAddressSwitch(ec2, { members, selection, target: 'vpn-a' });
    expect(again.plan).toMatchObject({ moves: 0, noops: 2 });
    expect(again.writes.map((w) => w.outcome)).toEqual(['none', 'none']);
  });

  it('rehearses with a dry run judged by DryRunOperation and moves nothing', async () => {
    const { sim, pair, members, selection } = await setUp();
    const ec2 = http ? await overHttp(sim) : sim.ec2();
    const mutating = sim.mutatingCalls().length;
    const run = await runAddressSwitch(ec2, { members, selection, target: 'vpn-b', dryRun: true });
    expect(run.writes.map((w) => w.outcome)).toEqual(['dry-run', 'dry-run']);
    expect(sim.mutatingCalls()).toHaveLength(mutating);
    expect(sim.address(pair.eth0)?.NetworkInterfaceId).toBe(pair.a0);
    expect(run.invariant.findings.map((f) => f.kind)).toEqual(['departed', 'departed']);
  });

  it('a dry run against an endpoint that ignores DryRun says the address MOVED', async () => {
    const { sim, members, selection } = await setUp();
    const ec2 = http ? await overHttp(sim) : sim.ec2();
    sim.injectFault({ action: 'AssociateAddress', ignoreDryRun: true });
    await expect(runAddressSwitch(ec2, { members, selection, target: 'vpn-b', dryRun: true })).rejects.toMatchObject({
      name: 'AddressDryRunIgnoredError',
    });
  });
});

it('refuses a cross-zone secondary private IP before anything moves, routes or addresses', async () => {
  const { sim, pair, members, selection } = await setUp();
  const vip = sim.addSecondaryPrivateIp(pair.a1, '10.0.3.100');
  const ec2 = await overHttp(sim);
  const mutating = sim.mutatingCalls().length;
  await expect(
    runAddressSwitch(ec2, { members, selection: { ...selection, secondaryIps: [{ ip: vip }] }, target: 'vpn-b' }),
  ).rejects.toMatchObject({
    name: 'AddressCannotMoveError',
    message: expect.stringMatching(/10\.0\.3\.100 \(cross-subnet\).*us-east-1a → us-east-1b/),
  });
  expect(sim.mutatingCalls()).toHaveLength(mutating);
  expect(sim.address(pair.eth0)?.NetworkInterfaceId).toBe(pair.a0);
});

it('moves a same-zone secondary IP with the Elastic IP on it in one AssignPrivateIpAddresses, over HTTP', async () => {
  const { sim, pair, members, selection } = await setUp(true);
  const vip = sim.addSecondaryPrivateIp(pair.a1, '10.0.3.100');
  const third = sim.allocateAddress({ publicIp: '203.0.113.12' });
  await sim
    .ec2()
    .send(new AssociateAddressCommand({ AllocationId: third, NetworkInterfaceId: pair.a1, PrivateIpAddress: vip }));
  const ec2 = await overHttp(sim);
  const run = await runAddressSwitch(ec2, {
    members,
    selection: { ...selection, allocationIds: [...selection.allocationIds!, third], secondaryIps: [{ ip: vip }] },
    target: 'vpn-b',
  });
  expect(run.verdicts.every((v) => v.status === 'verified')).toBe(true);
  expect(run.invariant.findings).toEqual([]);
  expect(sim.address(third)).toMatchObject({ NetworkInterfaceId: pair.b1, PrivateIpAddress: vip });
  expect(endpoint?.requests.filter((r) => r.action === 'AssignPrivateIpAddresses').map((r) => r.status)).toEqual([200]);
});

it('reports an address another instance took as a conflict and leaves it there', async () => {
  const { sim, pair, members, selection } = await setUp();
  const stranger = sim.addInstance({ vpcId: pair.vpcId, availabilityZone: 'us-east-1a' });
  const strangerEni = sim.addNetworkInterface({ vpcId: pair.vpcId, instanceId: stranger });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: pair.eth1, NetworkInterfaceId: strangerEni }));
  const run = await runAddressSwitch(sim.ec2(), { members, selection, target: 'vpn-b' });
  expect(run.plan.cannotMove.map((i) => [i.id, i.reason])).toEqual([[pair.eth1, 'held-elsewhere']]);
  expect(sim.address(pair.eth1)?.NetworkInterfaceId).toBe(strangerEni);
  expect(run.invariant.findings.map((f) => [f.address, f.kind])).toEqual([[pair.eth1, 'foreign']]);
});
