/**
 * The addresses in the same run as the routes, through the real ASL on the simulated VPC: a VPN router holding
 * two Elastic IPs (eth0, eth1) and routes fails over (both modes, throttling on), fails back, rehearses, and a
 * cross-zone secondary private IP is refused before anything moves.
 */
import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { routeTarget } from '../../functions/domain/routes';
import { reconcileTwins } from '../../functions/reconcile-twins/reconcile-twins';
import { runExecution } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { simHandlers } from '../../bench/false-success';
import { SimulatedVpc } from '../../sim';
import { buildVpnPair } from '../../bench/addresses';
import { verifySwitch, VerifyInputSchema } from '../../functions/verify-switch/verify-switch';
import { parseRecord } from '../../cli/route-failover/executions';
import { renderExecutionDetail } from '../../cli/route-failover/render-history';

const setUp = async (opts: { mode?: 'routes' | 'associations'; throttled?: boolean } = {}) => {
  const sim = new SimulatedVpc({
    seed: 21,
    throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
  });
  const scenario = buildRouterPair(sim, { routeTables: 2, groupName: 'vpn' });
  const { routerA, routerB } = scenario;
  const eip0 = sim.allocateAddress({ publicIp: '203.0.113.10' });
  const eip1 = sim.allocateAddress({ publicIp: '203.0.113.11' });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eip0, NetworkInterfaceId: routerA.eni0 }));
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eip1, NetworkInterfaceId: routerA.eni1 }));
  const group = scenario.config.groups[0];
  const input: FailoverConfigInput = {
    ...scenario.config,
    groups: [
      {
        ...group,
        elasticIps: [eip0, eip1],
        ...(opts.mode === 'associations' ? { switchMode: 'associations' as const } : {}),
      },
    ],
  };
  const config = parseConfig(input);
  const store = new InMemoryGroupStateStore();
  const handlers = simHandlers(sim, config, store);
  const run = async (request: Record<string, unknown>, wrap: Record<string, unknown> = {}) => {
    const r = await runExecution({
      handlers: { ...handlers, ...wrap } as never,
      input: { group: 'vpn', requestedBy: 'test', ...request },
      retryIntervalMs: 0,
      waitTimeMs: { WaitForLease: 5 },
    });
    return { ...r, record: r.auditRecord as any };
  };
  if (opts.mode === 'associations')
    await reconcileTwins({}, { ec2: sim.ec2(), config, store, sleep: async () => undefined });
  // Throttling on: another writer of the account emptied the buckets, so the first writes are refused.
  if (opts.throttled)
    for (const action of ['AssociateAddress', 'ReplaceRoute', 'ReplaceRouteTableAssociation'])
      sim.injectFault({ action, code: 'RequestLimitExceeded', times: 2 });
  return { sim, scenario, routerA, routerB, eip0, eip1, run, store, config, handlers };
};

const onB = (sim: SimulatedVpc, scenario: ReturnType<typeof buildRouterPair>) =>
  scenario.expectedMoves.every((m) => routeTarget(sim.route(m.routeTableId, m.destination.value)!) === m.toEni);

describe.each([
  ['routes', false],
  ['routes', true],
  ['associations', true],
] as const)('in the %s mode (throttled: %s)', (mode, throttled) => {
  it(`fails over with both Elastic IPs on the standby’s \
paired interfaces, verified and recorded, then fails back`, async () => {
    const { sim, scenario, routerA, routerB, eip0, eip1, run, store } = await setUp({ mode, throttled });

    const over = await run({ action: 'switchover', to: 'router-b' });
    expect(over.record.outcome).toBe('succeeded');
    expect(sim.address(eip0)).toMatchObject({ NetworkInterfaceId: routerB.eni0, InstanceId: routerB.instanceId });
    expect(sim.address(eip1)).toMatchObject({ NetworkInterfaceId: routerB.eni1, InstanceId: routerB.instanceId });
    if (mode === 'routes') expect(onB(sim, scenario)).toBe(true);
    const a = over.record.addresses;
    expect(a).toMatchObject({ planned: 2, moved: 2, cannotMove: 0 });
    expect(a.invariant).toMatch(/all on router-b/);
    for (const [id, from, to] of [
      [eip0, routerA.eni0, routerB.eni0],
      [eip1, routerA.eni1, routerB.eni1],
    ]) {
      const item = a.list.find((x: any) => x.id === id);
      expect(item).toMatchObject({ status: 'moved', verified: true, before: { eni: from }, after: { eni: to } });
      expect(item.attempts).toBeGreaterThanOrEqual(1);
      expect(item.timeToSwitchMs).toBeGreaterThanOrEqual(0);
    }
    expect(over.record.summary).toMatch(/addresses: 2 moved/);
    // Throttled: EC2 refused the first AssociateAddress calls; the paced writer retried them,
    // and the record counts them.
    if (throttled) expect(a.list.reduce((n: number, x: any) => n + x.attempts, 0)).toBe(4);
    // The notification says it, and the lease is released.
    expect(sim.published.at(-1)?.Message).toMatch(/203\.0\.113\.10/);
    expect(store.holder('vpn')).toBeUndefined();
    // `history show` reads the record as known and lists each address.
    const parsed = parseRecord(over.record);
    expect(parsed?.known).toBe(true);
    const shown = renderExecutionDetail({ name: 'x', arn: 'x', status: 'SUCCEEDED', parsed }, undefined);
    expect(shown).toMatch(/Addresses: {2}2 planned, 2 moved/);
    expect(shown).toMatch(new RegExp(`moved +203\\.0\\.113\\.11 \\(${eip1}\\) +eth1 +router-a ${routerA.eni1}`));

    const back = await run({ action: 'failback' });
    expect(back.record.outcome).toBe('succeeded');
    expect(sim.address(eip0)?.NetworkInterfaceId).toBe(routerA.eni0);
    expect(sim.address(eip1)?.NetworkInterfaceId).toBe(routerA.eni1);
    expect(back.record.addresses).toMatchObject({ moved: 2 });
  }, 60_000);
});

it.each(['routes', 'associations'] as const)(
  '%s mode, throttled: a dry run moves nothing, routes or addresses, and says what it would move',
  async (mode) => {
    const { sim, routerA, eip0, run } = await setUp({ mode, throttled: true });
    const before = sim.mutatingCalls().length;
    const dry = await run({ action: 'switchover', to: 'router-b', dryRun: true });
    expect(dry.record.outcome).toBe('dry-run');
    expect(sim.mutatingCalls()).toHaveLength(before);
    expect(sim.address(eip0)?.NetworkInterfaceId).toBe(routerA.eni0);
    expect(dry.record.addresses.list.map((x: any) => [x.status, x.verified])).toEqual([
      ['dry-run', true],
      ['dry-run', true],
    ]);
  },
);

it('a dry run against an endpoint that ignores DryRun on AssociateAddress fails loudly', async () => {
  const { sim, run } = await setUp();
  sim.injectFault({ action: 'AssociateAddress', ignoreDryRun: true });
  const dry = await run({ action: 'switchover', to: 'router-b', dryRun: true });
  expect(dry.record).toMatchObject({ outcome: 'failed', error: 'DryRunIgnored' });
  expect(dry.record.cause).toMatch(/2 address\(es\) CHANGED to router-b .*: MOVED in a dry run/);
});

it.each(['routes', 'associations'] as const)(
  '%s mode, throttled: refuses a cross-zone secondary private IP before anything moves, notified, lease released',
  async (mode) => {
    const { sim, routerA, eip0, scenario, config, store } = await setUp({ mode, throttled: true });
    const vip = sim.addSecondaryPrivateIp(routerA.eni1);
    const cfg = parseConfig({ groups: [{ ...config.groups[0], secondaryPrivateIps: [vip] }] } as FailoverConfigInput);
    const handlers = simHandlers(sim, cfg, store);
    const before = sim.mutatingCalls().length;
    const r = await runExecution({
      handlers: handlers as never,
      input: { action: 'switchover', group: 'vpn', to: 'router-b' },
      retryIntervalMs: 0,
    });
    const record = r.auditRecord as any;
    expect(record).toMatchObject({ outcome: 'failed', error: 'AddressCannotMoveError' });
    expect(record.cause).toMatch(new RegExp(`${vip.replace(/\./g, '\\.')} \\(cross-subnet\\)`));
    expect(sim.mutatingCalls()).toHaveLength(before);
    expect(sim.address(eip0)?.NetworkInterfaceId).toBe(routerA.eni0);
    expect(
      scenario.expectedMoves.every((m) => routeTarget(sim.route(m.routeTableId, m.destination.value)!) === m.fromEni),
    ).toBe(true);
    expect(sim.published.at(-1)?.Message).toMatch(/AddressCannotMoveError/);
    expect(store.holder('vpn')).toBeUndefined();
  },
);

it(`an Elastic IP EC2 refused to move keeps the run from \
reading as succeeded: the clause finds it on router-a`, async () => {
  const { sim, routerA, eip1, run } = await setUp();
  // EC2 refuses eth1's address for good (a permanent error, not retried): it stays on router-a.
  sim.injectFault({
    action: 'AssociateAddress',
    code: 'InvalidParameterValue',
    message: 'refused',
    when: (i: any) => i.AllocationId === eip1,
  });
  const r = await run({ action: 'switchover', to: 'router-b' });
  expect(r.record.outcome).toBe('partial');
  expect(r.record.error).toBe('AddressesNotSwitched');
  expect(sim.address(eip1)?.NetworkInterfaceId).toBe(routerA.eni1);
  expect(r.record.cause).toMatch(/203\.0\.113\.11/);
});

it(`an Elastic IP another instance holds is a conflict: \
reported, never taken, and the run is not succeeded`, async () => {
  const { sim, scenario, routerB, eip0, eip1, run } = await setUp();
  const stranger = sim.addInstance({ vpcId: scenario.vpcId, availabilityZone: 'us-east-1a' });
  const strangerEni = sim.addNetworkInterface({ vpcId: scenario.vpcId, instanceId: stranger });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eip1, NetworkInterfaceId: strangerEni }));
  const r = await run({ action: 'switchover', to: 'router-b' });
  expect(r.record.outcome).toBe('partial');
  expect(r.record.error).toBe('AddressesNotSwitched');
  expect(sim.address(eip1)?.NetworkInterfaceId).toBe(strangerEni);
  expect(sim.address(eip0)?.NetworkInterfaceId).toBe(routerB.eni0);
  expect(r.record.addresses.list.find((a: any) => a.id === eip1)).toMatchObject({ status: 'cannot-move' });
  expect(r.record.cause).toMatch(/outside the group/);
  expect(onB(sim, scenario)).toBe(true);
});

it(`the network-truth oracle reads the addresses itself: a \
verification blind to them cannot pass a false success`, async () => {
  const { sim, eip1, routerA, run, handlers } = await setUp();
  // Someone puts eth1's address back on router-a right after the writes; a planted bug in VerifySwitch trusts
  // the plan for the addresses, so the record would claim success with it left behind.
  const racing = async (input: unknown) => {
    const out = await (handlers as any).SwitchItems(input);
    await sim
      .ec2()
      .send(
        new AssociateAddressCommand({ AllocationId: eip1, NetworkInterfaceId: routerA.eni1, AllowReassociation: true }),
      );
    return out;
  };
  const blind = async (input: unknown) => {
    const state = VerifyInputSchema.parse(input);
    const v = await verifySwitch({ ...state, plan: { ...state.plan, addresses: undefined } }, { ec2: sim.ec2() });
    const items = (state.plan.addresses?.items ?? []).map((i) => ({
      id: i.id,
      status: 'verified' as const,
      found: i.to,
    }));
    return {
      ...v,
      addresses: { checked: items.length, findings: 0, summary: 'trusted', items, problems: [], mismatches: 0 },
    };
  };
  await expect(
    run({ action: 'switchover', to: 'router-b' }, { SwitchItems: racing, VerifySwitch: blind }),
  ).rejects.toThrow(new RegExp(`FALSE SUCCEEDED[\\s\\S]*${eip1}: on router-a's ${routerA.eni1}`));
});

it(`one zone: a secondary private IP moves (AssignPrivateIpAddresses) \
with the Elastic IP on it; its dry run is unjudged`, async () => {
  const sim = new SimulatedVpc({ seed: 3 });
  const p = buildVpnPair(sim, { sameZone: true });
  const rtb = sim.addRouteTable({ vpcId: p.vpcId });
  sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: p.a0 });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: p.eth0, NetworkInterfaceId: p.a0 }));
  const vip = sim.addSecondaryPrivateIp(p.a1, '10.0.3.100');
  const riding = sim.allocateAddress({ publicIp: '203.0.113.12' });
  await sim
    .ec2()
    .send(new AssociateAddressCommand({ AllocationId: riding, NetworkInterfaceId: p.a1, PrivateIpAddress: vip }));
  const members = [
    { name: 'vpn-a', instanceId: p.a },
    { name: 'vpn-b', instanceId: p.b },
  ];
  const config = parseConfig({
    groups: [{ name: 'vpn', vpcId: p.vpcId, members, elasticIps: [p.eth0, riding], secondaryPrivateIps: [vip] }],
  });
  const handlers = simHandlers(sim, config, new InMemoryGroupStateStore());
  const run = async (dryRun: boolean) =>
    (
      await runExecution({
        handlers: handlers as never,
        input: { action: 'switchover', group: 'vpn', to: 'vpn-b', dryRun },
        retryIntervalMs: 0,
      })
    ).auditRecord as any;
  const before = sim.mutatingCalls().length;
  const dry = await run(true);
  expect(dry.outcome).toBe('dry-run');
  expect(sim.mutatingCalls()).toHaveLength(before);
  expect(dry.addresses.list.map((a: any) => [a.id, a.status])).toEqual([
    [vip, 'dry-run-unjudged'],
    [p.eth0, 'dry-run'],
    [riding, 'with-secondary'],
  ]);
  const over = await run(false);
  expect(over.outcome).toBe('succeeded');
  expect(sim.secondaryIpHolder(vip)).toBe(p.b1);
  expect(sim.address(riding)).toMatchObject({ NetworkInterfaceId: p.b1, PrivateIpAddress: vip });
  const writes = sim
    .mutatingCalls()
    .slice(before)
    .map((c) => c.action)
    .filter((a) => a !== 'ReplaceRoute');
  // One call each: the Elastic IP on the secondary IP moved with it (no AssociateAddress of its own).
  expect(writes.sort()).toEqual(['AssignPrivateIpAddresses', 'AssociateAddress']);
});
