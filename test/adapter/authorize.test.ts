import { writeBatch } from '../../functions/aws/paced-writer';
import { routeSwitch, type RouteSwitchDeps } from '../../functions/aws/route-switch';
import { parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { BatchNotAuthorizedError } from '../../functions/contract/errors';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import type { ReplaceBatchInput } from '../../functions/contract/schemas';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

/** One route batch through the routes kind and the paced writer, as SwitchItems writes it. */
const replaceRoutes = (i: ReplaceBatchInput, d: RouteSwitchDeps) => writeBatch(routeSwitch, i, d);

/**
 * SwitchItems invoked directly with forged batches (what anyone allowed lambda:InvokeFunction could send):
 * each is refused by name and writes nothing; the control batch, as the workflow would send it, is written.
 */

const GROUP = 'onprem-edge';

const setup = (scope?: FailoverConfigInput['groups'][number]['routeTables']) => {
  const sim = new SimulatedVpc({ seed: 21 });
  const s = buildRouterPair(sim, { routeTables: 2, groupName: GROUP });
  const raw = structuredClone(s.config);
  if (scope) raw.groups[0].routeTables = scope;
  const config = parseConfig(raw);
  const store = new InMemoryGroupStateStore();
  const rtb = s.routeTableIds[0];
  const batch = (
    over: Partial<ReplaceBatchInput> & { fromEni?: string; toEni?: string; destination?: string } = {},
  ): ReplaceBatchInput => ({
    batch: {
      id: 0,
      routeTableId: over.batch?.routeTableId ?? rtb,
      routes: [{ d: over.destination ?? '192.168.0.0/16', p: 0 }],
    },
    group: over.group ?? GROUP,
    vpcId: over.vpcId ?? s.vpcId,
    pairs: [
      {
        slot: '0/0',
        fromMember: 'router-a',
        fromEni: over.fromEni ?? s.routerA.eni0,
        toEni: over.toEni ?? s.routerB.eni0,
      },
    ],
    dryRun: false,
  });
  const run = (i: ReplaceBatchInput) =>
    replaceRoutes(i, { ec2: sim.ec2(), config, store, sleep: async () => undefined });
  const writes = () => sim.calls.filter((c) => c.action === 'ReplaceRoute').length;
  return { sim, s, rtb, store, batch, run, writes };
};

const refused = async (p: Promise<unknown>, reason: RegExp) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BatchNotAuthorizedError);
  expect((err as Error).name).toBe('BatchNotAuthorizedError');
  expect((err as Error).message).toMatch(reason);
};

describe('SwitchItems re-derives what it may write', () => {
  it('control: the batch the workflow sends is written', async () => {
    const { sim, rtb, s, batch, run } = setup();
    await expect(run(batch())).resolves.toMatchObject({ usual: 'replaced' });
    expect(sim.route(rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(s.routerB.eni0);
  });

  it.each([
    [
      'a target interface of an instance outside the group',
      (x: ReturnType<typeof setup>) => x.batch({ toEni: x.s.other.eni0 }),
      /target interface .* is not attached to a member/,
    ],
    [
      'a source that is not a member interface (the route targets an appliance)',
      (x: ReturnType<typeof setup>) => x.batch({ fromEni: x.s.other.eni0 }),
      /source interface .* is attached to .*, which is not a member/,
    ],
    [
      "a source that is the target member's own interface",
      (x: ReturnType<typeof setup>) => x.batch({ fromEni: x.s.routerB.eni1 }),
      /belongs to the target router-b/,
    ],
    [
      'a source that no member has or had (an igw- "interface")',
      (x: ReturnType<typeof setup>) => x.batch({ fromEni: 'igw-00000000000000001' }),
      /not an interface any other member/,
    ],
    [
      'a group that is not configured',
      (x: ReturnType<typeof setup>) => x.batch({ group: 'someone-else' }),
      /is not a configured group/,
    ],
    [
      'another VPC',
      (x: ReturnType<typeof setup>) => x.batch({ vpcId: 'vpc-0ffffffffffffffff' }),
      /is not group onprem-edge's/,
    ],
  ])('refuses %s, and writes nothing', async (_what, make, reason) => {
    const x = setup();
    const before = x.sim.routeTables();
    await refused(x.run(make(x)), reason);
    expect(x.writes()).toBe(0);
    expect(x.sim.routeTables()).toEqual(before);
  });

  it('refuses a table outside a tag scope, and one missing from an ID list', async () => {
    const tagged = setup({ tag: { key: 'route-failover:group', value: GROUP } });
    await refused(
      tagged.run(tagged.batch({ batch: { id: 0, routeTableId: tagged.s.untaggedRouteTableId, routes: [] } } as never)),
      /does not carry the tag/,
    );
    const listed = setup({ ids: ['rtb-0123456789abcdef0'] });
    await refused(listed.run(listed.batch()), /is not in group onprem-edge's list/);
    expect(tagged.writes() + listed.writes()).toBe(0);
  });

  it('a source deleted on termination is allowed only when the inventory holds it for another member', async () => {
    const x = setup();
    x.sim.setInstanceState(x.s.routerA.instanceId, 'terminated'); // eth0 is deleted; the route stays, blackhole
    await refused(x.run(x.batch()), /not an interface any other member/);
    await x.store.writeInventory(GROUP, {
      member: 'router-a',
      instanceId: x.s.routerA.instanceId,
      observedAt: new Date().toISOString(),
      interfaces: [{ slot: '0/0', eni: x.s.routerA.eni0 }],
    });
    await expect(x.run(x.batch())).resolves.toMatchObject({ usual: 'replaced' });
    expect(x.sim.route(x.rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(x.s.routerB.eni0);
  });

  it(`with the source's Availability Zone impaired, the inventory \
vouches for the source; the target must still be seen`, async () => {
    const x = setup();
    await x.store.writeInventory(GROUP, {
      member: 'router-a',
      instanceId: x.s.routerA.instanceId,
      observedAt: new Date().toISOString(),
      interfaces: [{ slot: '0/0', eni: x.s.routerA.eni0 }],
    });
    x.sim.impairAvailabilityZone(`${x.sim.region}a`);
    await expect(x.run(x.batch())).resolves.toMatchObject({ usual: 'replaced' });
  });

  it(`interfaces this execution just saw on the members (a fresh \
inventory) need no EC2 call; an old inventory is checked live`, async () => {
    const x = setup();
    const entry = (member: string, instanceId: string, eni: string, observedAt: string) => ({
      member,
      instanceId,
      observedAt,
      interfaces: [{ slot: '0/0', eni }],
    });
    const now = new Date().toISOString();
    await x.store.writeInventory(GROUP, entry('router-a', x.s.routerA.instanceId, x.s.routerA.eni0, now));
    await x.store.writeInventory(GROUP, entry('router-b', x.s.routerB.instanceId, x.s.routerB.eni0, now));
    await expect(x.run(x.batch())).resolves.toMatchObject({ usual: 'replaced' });
    expect(x.sim.calls.filter((c) => c.action === 'DescribeNetworkInterfaces')).toHaveLength(0);

    // An hour-old entry for the target: EC2 is asked, and an interface moved to an appliance meanwhile is refused.
    const y = setup();
    const old = new Date(Date.now() - 3600_000).toISOString();
    await y.store.writeInventory(GROUP, entry('router-b', y.s.routerB.instanceId, y.s.other.eni0, old));
    await refused(y.run(y.batch({ toEni: y.s.other.eni0 })), /target interface .* is not attached to a member/);
    expect(y.sim.calls.filter((c) => c.action === 'DescribeNetworkInterfaces').length).toBeGreaterThan(0);
  });
});
