/**
 * How long the address move takes, and how many EC2 calls a run makes, on the simulated VPC with its latency model
 * (`npx tsx bench/addresses.ts [--latency-ms 50]`): a VPN router pair, A in one zone and B in another, with Elastic
 * IPs on eth0 and eth1 and routes to both interfaces (and, in the one-zone rows, a secondary private IP carrying a
 * third Elastic IP), failed over from A to B by the real workflow (the ASL run locally, every Task on its handler,
 * a per-Task overhead for Step Functions and Lambda). Virtual clock: exact simulated time for the model; real EC2
 * adds its own remap time after the API answers, which AWS does not publish ("Remapping an IP address is an
 * asynchronous operation", AssignPrivateIpAddresses).
 */
import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { runExecution } from '../cli/local/local-runner';
import { createTaskHandlers } from '../cli/local/task-handlers';
import { parseConfig } from '../functions/contract/config';
import type { AuditAddresses } from '../functions/contract/address-schemas';
import type { AuditRecord } from '../functions/contract/audit-record';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { SimulatedVpc } from '../sim';
import { renderConsole, seconds, type Table } from './report';
import { VirtualClock } from './virtual-clock';

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
  outcome: string;
  /** The record's addresses section: each address before, after, calls, time to switch. */
  record: AuditAddresses;
  /** Milliseconds from the execution's start to: the plan, the last address switched, the end of the run. */
  plannedMs: number;
  addressesMs: number;
  routesMs: number;
  totalMs: number;
  calls: Record<string, number>;
}

/** Per Task state: Step Functions' transition and Lambda's invocation (the floor benchmark's default). */
const TASK_OVERHEAD_MS = 50;

/**
 * One row: the pair set up, its addresses and routes on A, then a switchover to B by the workflow on a virtual clock.
 */
export const runAddressCase = async (opts: {
  sameZone: boolean;
  latencyMs: number;
  seed?: number;
}): Promise<AddressBenchRow> => {
  const clock = new VirtualClock();
  const sim = new SimulatedVpc({ seed: opts.seed ?? 1, latencyMs: opts.latencyMs, clock });
  const pair = buildVpnPair(sim, { sameZone: opts.sameZone });
  const ec2 = sim.ec2();
  const rtb = sim.addRouteTable({ vpcId: pair.vpcId, tags: { Name: 'vpn-private' } });
  sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: pair.a0 });
  sim.addRoute(rtb, { DestinationCidrBlock: '172.16.0.0/12', NetworkInterfaceId: pair.a1 });
  const elasticIps = [pair.eth0, pair.eth1];
  const secondaryPrivateIps: string[] = [];
  const setup = [
    () => ec2.send(new AssociateAddressCommand({ AllocationId: pair.eth0, NetworkInterfaceId: pair.a0 })),
    () => ec2.send(new AssociateAddressCommand({ AllocationId: pair.eth1, NetworkInterfaceId: pair.a1 })),
  ];
  if (opts.sameZone) {
    const vip = sim.addSecondaryPrivateIp(pair.a1, '10.0.3.100');
    const third = sim.allocateAddress({ publicIp: '203.0.113.12' });
    elasticIps.push(third);
    secondaryPrivateIps.push(vip);
    setup.push(() =>
      ec2.send(
        new AssociateAddressCommand({ AllocationId: third, NetworkInterfaceId: pair.a1, PrivateIpAddress: vip }),
      ),
    );
  }
  const config = parseConfig({
    groups: [
      {
        name: 'vpn',
        vpcId: pair.vpcId,
        members: [
          { name: 'vpn-a', instanceId: pair.a },
          { name: 'vpn-b', instanceId: pair.b },
        ],
        elasticIps,
        ...(secondaryPrivateIps.length > 0 ? { secondaryPrivateIps } : {}),
      },
    ],
  });
  const sleep = (ms: number) => clock.sleep(ms);
  const now = () => new Date(clock.now());
  let t0 = 0;
  let plannedAt = 0;
  let record: AuditRecord | undefined;
  let first = 0;
  await clock.run(async () => {
    for (const s of setup) await s();
    t0 = clock.now();
    first = sim.calls.length;
    const raw = createTaskHandlers({
      ec2,
      sns: sim.sns(),
      config,
      topicArn: sim.createTopic('route-failover'),
      store: new InMemoryGroupStateStore(),
      now,
      sleep,
      recheckDelaysMs: [1000],
    });
    const handlers = Object.fromEntries(
      Object.entries(raw).map(([name, h]) => [
        name,
        async (input: unknown) => {
          await sleep(TASK_OVERHEAD_MS);
          const out = await h(input);
          if (name === 'PlanSwitch') plannedAt = clock.now();
          return out;
        },
      ]),
    );
    const r = await runExecution({
      handlers,
      input: { action: 'switchover', group: 'vpn', to: 'vpn-b', requestedBy: 'bench' },
      executionName: 'addresses-bench',
      region: sim.region,
      now,
    });
    record = r.auditRecord as AuditRecord | undefined;
  });
  if (!record?.addresses) throw new Error(`the run kept no address record: ${JSON.stringify(record).slice(0, 500)}`);
  const calls: Record<string, number> = {};
  for (const c of sim.calls.slice(first).filter((x) => x.service === 'ec2'))
    calls[c.action] = (calls[c.action] ?? 0) + 1;
  const addresses = record.addresses;
  return {
    zones: opts.sameZone ? 'one zone' : 'two zones',
    addresses: addresses.planned,
    latencyMs: opts.latencyMs,
    outcome: record.outcome,
    record: addresses,
    plannedMs: plannedAt - t0,
    addressesMs: addresses.timeToSwitchMaxMs ?? Number.NaN,
    routesMs: record.timeToSwitch?.maxMs ?? Number.NaN,
    totalMs: record.durationMs ?? Number.NaN,
    calls,
  };
};

export const addressTable = (rows: AddressBenchRow[]): Table => ({
  headers: [
    'pair',
    'addresses',
    'latency ms',
    'planned s',
    'addresses switched s',
    'routes switched s',
    'run s',
    'EC2 calls',
    'verified',
    'outcome',
  ],
  rows: rows.map((r) => [
    r.zones,
    String(r.addresses),
    String(r.latencyMs),
    seconds(r.plannedMs),
    seconds(r.addressesMs),
    seconds(r.routesMs),
    seconds(r.totalMs),
    Object.entries(r.calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([a, n]) => `${a} ${n}`)
      .join(', '),
    `${r.record.list.filter((a) => a.verified).length}/${r.record.list.length}`,
    r.outcome,
  ]),
  notes: [
    'A switchover of a VPN router pair from vpn-a to vpn-b by the workflow, with two routes: Elastic IPs on eth0 ' +
      'and eth1; in one zone, also a secondary IP on eth1 carrying a third Elastic IP.',
    'Times from the execution start (lease, resolve, health gate, plan included): the plan done, the last address ' +
      'and the last route EC2 accepted, the whole run (verified, notified, lease released).',
    `Simulated VPC, every EC2 call costs the latency given, ${TASK_OVERHEAD_MS} ms per Task state, virtual clock. ` +
      "EC2's own remap after the API answers is not in it: AWS publishes no figure.",
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
