import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { SimulatedVpc } from '../../sim';

/**
 * Reads that lag writes (EC2's eventual consistency, sim/read-lag.ts): opt-in, bounded by `max`, on the
 * simulator's clock, drawn from its seed. The clock here is virtual: the tests move it, nothing waits.
 */

const MAX = 3000;

const fixture = (opts: { seed?: number; readLagMs?: { max: number } } = { readLagMs: { max: MAX } }) => {
  let t = 1_000_000;
  const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
  const sim = new SimulatedVpc({ seed: opts.seed ?? 5, clock, readLagMs: opts.readLagMs, throttling: false });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const enis = ['us-east-1a', 'us-east-1b'].map((availabilityZone) => {
    const instanceId = sim.addInstance({ vpcId, availabilityZone });
    return sim.addNetworkInterface({ vpcId, instanceId, sourceDestCheck: false });
  });
  sim.addRouteTable({ vpcId, main: true });
  const rtb = sim.addRouteTable({ vpcId });
  const twin = sim.addRouteTable({ vpcId });
  sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: enis[0] });
  sim.addRoute(rtb, { DestinationCidrBlock: '172.16.0.0/12', NetworkInterfaceId: enis[0] });
  const subnet = sim.addSubnet({ vpcId, availabilityZone: 'us-east-1a', cidr: '10.0.200.0/24' });
  const assoc = sim.associateRouteTable(rtb, { subnetId: subnet });
  const ec2 = sim.ec2();
  const read = async (id: string): Promise<RouteTable> =>
    (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }))).RouteTables![0];
  const targetOf = async (id: string, cidr: string) =>
    (await read(id)).Routes?.find((r) => r.DestinationCidrBlock === cidr)?.NetworkInterfaceId;
  /** Moves the clock 10 ms at a time until `seen` holds; returns the ms that took (past MAX + 10: never). */
  const settleTime = async (seen: () => Promise<boolean>): Promise<number> => {
    const start = t;
    while (!(await seen()) && t - start <= MAX) t += 10;
    return t - start;
  };
  return {
    sim,
    ec2,
    vpcId,
    enis,
    rtb,
    twin,
    subnet,
    assoc,
    read,
    targetOf,
    settleTime,
    advance: (ms: number) => void (t += ms),
  };
};

const replaceTo = (f: ReturnType<typeof fixture>, cidr: string, eni: string) =>
  f.ec2.send(new ReplaceRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: cidr, NetworkInterfaceId: eni }));

describe('read lag (eventual consistency of DescribeRouteTables)', () => {
  it('is off by default: a read right after ReplaceRoute shows it', async () => {
    const f = fixture({});
    await replaceTo(f, '192.168.0.0/16', f.enis[1]);
    expect(await f.targetOf(f.rtb, '192.168.0.0/16')).toBe(f.enis[1]);
  });

  it(`after ReplaceRoute reads show the old target for a seeded time \
of at most max, then the new one; the truth changes at once`, async () => {
    const f = fixture();
    await replaceTo(f, '192.168.0.0/16', f.enis[1]);
    expect(f.sim.route(f.rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(f.enis[1]);
    const seen: string[] = [];
    const took = await f.settleTime(async () => {
      const target = (await f.targetOf(f.rtb, '192.168.0.0/16'))!;
      if (seen.at(-1) !== target) seen.push(target);
      return target === f.enis[1];
    });
    expect(seen).toEqual([f.enis[0], f.enis[1]]);
    expect(took).toBeGreaterThan(0);
    expect(took).toBeLessThanOrEqual(MAX);
    // The other route of the table was not written: never lagged.
    f.advance(-took);
    expect(await f.targetOf(f.rtb, '172.16.0.0/12')).toBe(f.enis[0]);
  });

  it('is reproducible: the same seed gives the same windows, another seed others', async () => {
    const windows = async (seed: number) => {
      const f = fixture({ seed, readLagMs: { max: MAX } });
      await replaceTo(f, '192.168.0.0/16', f.enis[1]);
      await replaceTo(f, '172.16.0.0/12', f.enis[1]);
      const a = await f.settleTime(async () => (await f.targetOf(f.rtb, '192.168.0.0/16')) === f.enis[1]);
      f.advance(-a);
      const b = await f.settleTime(async () => (await f.targetOf(f.rtb, '172.16.0.0/12')) === f.enis[1]);
      return [a, b];
    };
    const first = await windows(5);
    expect(await windows(5)).toEqual(first);
    expect(await windows(6)).not.toEqual(first);
  });

  it('a created route is absent from reads, a deleted one still present, during their windows', async () => {
    const f = fixture();
    await f.ec2.send(
      new CreateRouteCommand({
        RouteTableId: f.twin,
        DestinationCidrBlock: '10.50.0.0/16',
        NetworkInterfaceId: f.enis[1],
      }),
    );
    await f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '172.16.0.0/12' }));
    expect(f.sim.route(f.twin, '10.50.0.0/16')).toBeDefined();
    expect(f.sim.route(f.rtb, '172.16.0.0/12')).toBeUndefined();
    expect(await f.targetOf(f.twin, '10.50.0.0/16')).toBeUndefined();
    expect(await f.targetOf(f.rtb, '172.16.0.0/12')).toBe(f.enis[0]);
    f.advance(MAX + 1);
    expect(await f.targetOf(f.twin, '10.50.0.0/16')).toBe(f.enis[1]);
    expect(await f.targetOf(f.rtb, '172.16.0.0/12')).toBeUndefined();
  });

  it(`writes act on the truth: a second write inside the window works, \
and reads show the state before the first until both settle`, async () => {
    const f = fixture();
    await replaceTo(f, '192.168.0.0/16', f.enis[1]);
    // EC2 itself knows the new route: replacing it again, or deleting it, is no InvalidRoute.NotFound.
    await replaceTo(f, '192.168.0.0/16', f.enis[0]);
    await f.ec2.send(
      new CreateRouteCommand({
        RouteTableId: f.rtb,
        DestinationCidrBlock: '10.60.0.0/16',
        NetworkInterfaceId: f.enis[0],
      }),
    );
    await f.ec2.send(new DeleteRouteCommand({ RouteTableId: f.rtb, DestinationCidrBlock: '10.60.0.0/16' }));
    expect(f.sim.route(f.rtb, '10.60.0.0/16')).toBeUndefined();
    expect(await f.targetOf(f.rtb, '10.60.0.0/16')).toBeUndefined();
    f.advance(MAX + 1);
    expect(await f.targetOf(f.rtb, '192.168.0.0/16')).toBe(f.enis[0]);
  });

  it('a failed write (DryRun) opens no window', async () => {
    const f = fixture();
    await expect(
      f.ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: f.rtb,
          DestinationCidrBlock: '192.168.0.0/16',
          NetworkInterfaceId: f.enis[1],
          DryRun: true,
        }),
      ),
    ).rejects.toThrow();
    await replaceTo(f, '172.16.0.0/12', f.enis[1]);
    expect(await f.targetOf(f.rtb, '192.168.0.0/16')).toBe(f.enis[0]);
    f.advance(MAX + 1);
    expect(await f.targetOf(f.rtb, '192.168.0.0/16')).toBe(f.enis[0]);
  });

  it(`after ReplaceRouteTableAssociation reads show the old \
association (ID, table, filters) until its window ends`, async () => {
    const f = fixture();
    const out = await f.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: f.assoc, RouteTableId: f.twin }),
    );
    expect(f.sim.effectiveRouteTableId(f.subnet)).toBe(f.twin);
    const bySubnet = async () =>
      (
        (
          await f.ec2.send(
            new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [f.subnet] }] }),
          )
        ).RouteTables ?? []
      ).map((t) => t.RouteTableId);
    expect(await bySubnet()).toEqual([f.rtb]);
    expect((await f.read(f.rtb)).Associations?.map((a) => a.RouteTableAssociationId)).toEqual([f.assoc]);
    expect((await f.read(f.twin)).Associations ?? []).toEqual([]);
    f.advance(MAX + 1);
    expect(await bySubnet()).toEqual([f.twin]);
    expect((await f.read(f.twin)).Associations?.map((a) => a.RouteTableAssociationId)).toEqual([out.NewAssociationId]);
    expect((await f.read(f.rtb)).Associations ?? []).toEqual([]);
  });
});
