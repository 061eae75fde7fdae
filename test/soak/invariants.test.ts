import { checkCase, type InvariantId } from './invariants';
import type { EstateSpec } from './generators/estate';
import type { HistorySpec } from './generators/history';
import { runCase, type Observation } from './run-case';

/**
 * Each invariant of docs/soak.md fails on the violation it names: one real case (a router pair, one table,
 * the active member stops) passes, then one thing of what it left is changed and only that invariant speaks.
 */

const estate: EstateSpec = {
  members: 2,
  slots: 1,
  active: 0,
  mode: 'routes',
  scope: 'vpc',
  mainOnFirst: false,
  tables: [
    {
      inScope: true,
      subnets: 1,
      gateway: false,
      routes: [{ dest: 'ipv4', target: { kind: 'member', member: 0, slot: 0 }, propagatedTwin: false }],
    },
  ],
  strayTwin: false,
  priority: false,
  hold: false,
  otherGroups: 0,
};
const history = (trigger: HistorySpec['trigger']): HistorySpec => ({
  trigger,
  refreshInventory: false,
  faults: [],
  standbyInitializing: false,
  readLagMs: 0,
  publish: 'ok',
  concurrentDuplicate: false,
});
const stopped = history({ kind: 'instance-state', member: 0, state: 'stopped', real: true });

const ids = (o: Observation): InvariantId[] => [...new Set(checkCase(o).map((v) => v.invariant))];
const record = (o: Observation): any => o.first[0].result!.output ?? o.first[0].result!.auditRecord;
/** The table of the generated estate, and its one route's key. */
const routeOf = (o: Observation) => ({ table: o.m.tableIds[0], cidr: '198.18.0.0/24' });
const setTarget = (tables: Observation['after'], table: string, cidr: string, target: string) => {
  const r = tables.find((t) => t.RouteTableId === table)!.Routes!.find((x) => x.DestinationCidrBlock === cidr)!;
  r.NetworkInterfaceId = target;
};

describe('soak invariants: each one catches what it forbids', () => {
  it('a failover of the stopped active member passes all six', async () => {
    const o = await runCase(estate, stopped, 1);
    expect(record(o).outcome).toBe('succeeded');
    expect(checkCase(o)).toEqual([]);
  });

  it('I1: a success whose route still leads to the departed member', async () => {
    const o = await runCase(estate, stopped, 1);
    o.first[0].findings = ['rtb-x 198.18.0.0/24: still points at router-0'];
    expect(ids(o)).toEqual(['I1']);
  });

  it('I2: a route gone, and a CreateRoute by the workflow', async () => {
    const o = await runCase(estate, stopped, 1);
    const { table, cidr } = routeOf(o);
    const t = o.afterRerun.find((x) => x.RouteTableId === table)!;
    t.Routes = t.Routes!.filter((r) => r.DestinationCidrBlock !== cidr);
    expect(ids(o)).toContain('I2');
    const p = await runCase(estate, stopped, 1);
    p.m.sim.calls.push({ service: 'ec2', action: 'CreateRoute', input: {}, at: 0, tookEffect: true });
    expect(ids(p)).toEqual(['I2']);
  });

  it('I3: routes that leave a healthy active member on a forged event', async () => {
    const o = await runCase(estate, history({ kind: 'instance-state', member: 0, state: 'stopped', real: false }), 1);
    expect(record(o).outcome).toBe('noop');
    expect(ids(o)).toEqual([]);
    const { table, cidr } = routeOf(o);
    setTarget(o.after, table, cidr, o.m.members[1].enis[0]);
    expect(ids(o)).toContain('I3');
  });

  it('I4: an `after` the tables do not hold, a lease left held, a notification too many', async () => {
    const o = await runCase(estate, stopped, 1);
    record(o).routes[0].after.target = 'eni-00000000000000000';
    expect(ids(o)).toEqual(['I4']);
    const p = await runCase(estate, stopped, 1);
    p.holderAfterRerun = 'someone';
    expect(ids(p)).toEqual(['I4']);
    const q = await runCase(estate, stopped, 1);
    q.publishedByFirst = 2;
    expect(ids(q)).toEqual(['I4']);
  });

  it('I5: an execution failed outside the Fail states (States.DataLimitExceeded)', async () => {
    const o = await runCase(estate, stopped, 1);
    Object.assign(o.rerun.result!, { status: 'FAILED', error: 'States.DataLimitExceeded', events: [] });
    expect(ids(o)).toContain('I5');
  });

  it('I6: a re-run that moves a route after a success', async () => {
    const o = await runCase(estate, stopped, 1);
    const { table, cidr } = routeOf(o);
    setTarget(o.afterRerun, table, cidr, o.m.members[0].enis[0]);
    expect(ids(o)).toContain('I6');
  });
});
