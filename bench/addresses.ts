/**
 * How long the address move takes, and how many EC2 calls it makes, on the simulated VPC with its latency model
 * (`npx tsx bench/addresses.ts [--latency-ms 50]`): a VPN router pair, A in one zone and B in another, with
 * Elastic IPs on eth0 and eth1 (and, in the same-zone rows, a secondary private IP carrying a third one), failed
 * over from A to B. Virtual clock: exact simulated time for the model; real EC2 adds its own remap time, which
 * AWS does not publish ("Remapping an IP address is an asynchronous operation", AssignPrivateIpAddresses).
 *
 * `runAddressSwitch` is the address switch as the strategy will run it (read, plan, refuse before anything moves,
 * write each item, read back, verify each, check the address clause); the tests drive it too.
 */
import { AssociateAddressCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  readAddressBack,
  readAddressWorld,
  writeAddressItem,
  type AddressWriteResult,
} from '../functions/aws/addresses';
import {
  checkAddressInvariant,
  planAddressMoves,
  refusalOf,
  verifyAddressItem,
  type AddressInvariantResult,
  type AddressPlan,
  type AddressSelection,
  type AddressVerdict,
} from '../functions/domain/addresses';
import { SimulatedVpc } from '../sim';
import { renderConsole, seconds, type Table } from './report';
import { VirtualClock } from './virtual-clock';

export interface AddressSwitchRun {
  plan: AddressPlan;
  writes: AddressWriteResult[];
  verdicts: AddressVerdict[];
  invariant: AddressInvariantResult;
  /** Milliseconds on `now` from the start to: the plan, the last write answered, the read-back verified. */
  plannedMs: number;
  writtenMs: number;
  verifiedMs: number;
}

/** One address switch to `target` (see the module comment); throws AddressCannotMoveError before any write. */
export const runAddressSwitch = async (
  ec2: EC2Client,
  opts: {
    members: Array<{ name: string; instanceId: string }>;
    selection: AddressSelection;
    target: string;
    dryRun?: boolean;
    now?: () => number;
  },
): Promise<AddressSwitchRun> => {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const world = await readAddressWorld(ec2, opts.members, opts.selection);
  const plan = planAddressMoves({ target: opts.target, selection: opts.selection, ...world });
  const refusal = refusalOf(plan);
  if (refusal) throw refusal;
  const plannedMs = now() - t0;
  // Secondary IPs first: an Elastic IP that rides on one is verified after it moved.
  const writes: AddressWriteResult[] = [];
  for (const kind of ['secondary-ip', 'elastic-ip'] as const) {
    writes.push(
      ...(await Promise.all(
        plan.items
          .filter((i) => i.kind === kind)
          .map((i) => writeAddressItem(ec2, i, { dryRun: opts.dryRun ?? false })),
      )),
    );
  }
  const writtenMs = now() - t0;
  const placed = plan.items.filter((i) => i.status !== 'cannot-move');
  // Every address of the group is read back, those that could not move included: the clause judges them all.
  const back = await readAddressBack(ec2, plan.items);
  const verdicts = opts.dryRun ? [] : placed.map((i) => verifyAddressItem(i, back));
  const members = world.members.map((m) => ({
    name: m.name,
    instanceId: m.instanceId,
    enis: m.interfaces.map((i) => i.eni),
  }));
  const invariant = checkAddressInvariant({
    target: opts.target,
    departed: opts.members.map((m) => m.name).filter((n) => n !== opts.target),
    members,
    addresses: back.addresses,
    secondaryIps: opts.selection.secondaryIps.map((s) => s.ip),
    interfaces: back.interfaces,
  });
  return { plan, writes, verdicts, invariant, plannedMs, writtenMs, verifiedMs: now() - t0 };
};

/** A VPN router pair with Elastic IPs on eth0 and eth1; `sameZone` adds a secondary IP on eth1 carrying a third. */
export const buildVpnPair = (sim: SimulatedVpc, opts: { sameZone: boolean }) => {
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const zoneB = opts.sameZone ? 'us-east-1a' : 'us-east-1b';
  const outA = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.1.0/24' });
  const inA = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.3.0/24' });
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
  const b0 = sim.addNetworkInterface({
    vpcId,
    instanceId: b,
    subnetId: outB,
    privateIpAddress: opts.sameZone ? '10.0.1.20' : '10.0.2.20',
    sourceDestCheck: false,
  });
  const b1 = sim.addNetworkInterface({
    vpcId,
    instanceId: b,
    subnetId: inB,
    privateIpAddress: opts.sameZone ? '10.0.3.20' : '10.0.4.20',
    sourceDestCheck: false,
  });
  const eth0 = sim.allocateAddress({ publicIp: '203.0.113.10' });
  const eth1 = sim.allocateAddress({ publicIp: '203.0.113.11' });
  return { vpcId, a, b, a0, a1, b0, b1, eth0, eth1 };
};

export interface AddressBenchRow {
  zones: string;
  addresses: number;
  latencyMs: number;
  run: AddressSwitchRun;
  calls: Record<string, number>;
}

/** One row: the pair set up, its addresses on A, then a failover to B on a virtual clock. */
export const runAddressCase = async (opts: {
  sameZone: boolean;
  latencyMs: number;
  seed?: number;
}): Promise<AddressBenchRow> => {
  const clock = new VirtualClock();
  const sim = new SimulatedVpc({ seed: opts.seed ?? 1, latencyMs: opts.latencyMs, clock });
  const pair = buildVpnPair(sim, { sameZone: opts.sameZone });
  const ec2 = sim.ec2();
  const selection: AddressSelection = { allocationIds: [pair.eth0, pair.eth1], slots: {}, secondaryIps: [] };
  const setup = [
    () => ec2.send(new AssociateAddressCommand({ AllocationId: pair.eth0, NetworkInterfaceId: pair.a0 })),
    () => ec2.send(new AssociateAddressCommand({ AllocationId: pair.eth1, NetworkInterfaceId: pair.a1 })),
  ];
  if (opts.sameZone) {
    const vip = sim.addSecondaryPrivateIp(pair.a1, '10.0.3.100');
    const third = sim.allocateAddress({ publicIp: '203.0.113.12' });
    selection.allocationIds!.push(third);
    selection.secondaryIps.push({ ip: vip });
    setup.push(() =>
      ec2.send(
        new AssociateAddressCommand({ AllocationId: third, NetworkInterfaceId: pair.a1, PrivateIpAddress: vip }),
      ),
    );
  }
  const members = [
    { name: 'vpn-a', instanceId: pair.a },
    { name: 'vpn-b', instanceId: pair.b },
  ];
  const run = await clock.run(async () => {
    for (const s of setup) await s();
    sim.calls.length = 0;
    return runAddressSwitch(ec2, { members, selection, target: 'vpn-b', now: () => clock.now() });
  });
  return {
    zones: opts.sameZone ? 'one zone' : 'two zones',
    addresses: run.plan.items.length,
    latencyMs: opts.latencyMs,
    run,
    calls: sim.callCounts(),
  };
};

export const addressTable = (rows: AddressBenchRow[]): Table => ({
  headers: [
    'pair',
    'addresses',
    'latency ms',
    'planned s',
    'written s',
    'verified s',
    'EC2 calls',
    'verified',
    'clause',
  ],
  rows: rows.map((r) => [
    r.zones,
    String(r.addresses),
    String(r.latencyMs),
    seconds(r.run.plannedMs),
    seconds(r.run.writtenMs),
    seconds(r.run.verifiedMs),
    Object.entries(r.calls)
      .map(([a, n]) => `${a} ${n}`)
      .join(', '),
    `${r.run.verdicts.filter((v) => v.status === 'verified').length}/${r.run.verdicts.length}`,
    r.run.invariant.findings.length === 0 ? 'holds' : `${r.run.invariant.findings.length} finding(s)`,
  ]),
  notes: [
    'A failover of a VPN router pair from vpn-a to vpn-b: Elastic IPs on eth0 and eth1; in one zone, also a ' +
      'secondary IP on eth1 carrying a third Elastic IP.',
    'Times from the start of the address step (after lease, hold and health gate): read and plan, last write ' +
      'answered, read-back verified.',
    "Simulated VPC, every EC2 call costs the latency given, virtual clock. EC2's own remap after the API answers is " +
      'not in it: AWS publishes no figure.',
  ],
});

if (require.main === module) {
  const i = process.argv.indexOf('--latency-ms');
  const latencies = i > 0 ? [Number(process.argv[i + 1])] : [50, 200];
  void (async () => {
    const rows: AddressBenchRow[] = [];
    for (const latencyMs of latencies)
      for (const sameZone of [false, true]) rows.push(await runAddressCase({ sameZone, latencyMs }));
    process.stdout.write(`${renderConsole(addressTable(rows))}\n`);
  })();
}
