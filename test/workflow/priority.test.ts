import { VirtualClock } from '../../bench/virtual-clock';
import { runExecution } from '../../cli/local/local-runner';
import { buildLargeEstate } from '../../cli/local/scenario';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryWritePacer, REPLACE_ROUTE_PACE } from '../../functions/domain/pacer';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { SimulatedVpc } from '../../sim';

/**
 * 300 routes on EC2's documented limits (virtual clock); one destination, present in all 30 tables, named as priority.
 */
const run = async (priority: unknown) => {
  const clock = new VirtualClock();
  const sim = new SimulatedVpc({ seed: 9, clock, latencyMs: 50 });
  const estate = buildLargeEstate(sim, {
    routeTables: 30,
    routesPerTable: 12,
    affectedPerTable: 10,
    groupName: 'onprem-edge',
  });
  const last = estate.expectedMoves[estate.expectedMoves.length - 1].destination.value;
  const critical = estate.expectedMoves.filter((m) => m.destination.value === last);
  const group = {
    ...estate.config.groups[0],
    ...(priority === 'one-destination' ? { priority: { destinations: [last] } } : {}),
  };
  const config = parseConfig({ ...estate.config, groups: [group] });
  const now = () => new Date(clock.now());
  const sleep = (ms: number) => clock.sleep(ms);
  const pacer = new InMemoryWritePacer(REPLACE_ROUTE_PACE, { now: () => clock.now(), sleep });
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('t'),
    now,
    sleep,
    pacers: { ReplaceRoute: pacer },
    recheckDelaysMs: [0],
  });
  sim.setInstanceState(estate.routerA.instanceId, 'stopping');
  const input = { action: 'switchover', group: 'onprem-edge', to: 'router-b', requestedBy: 'netops' };
  const result = await clock.run(() => runExecution({ handlers: handlers as never, input, now }), { seed: 9 });
  return { result, sim, critical, record: result.output as any };
};

describe('priority routes: planned first, switched inside the burst', () => {
  it(`puts the priority destinations in the first batches and switches them within the first second; the record and \
the notification give p50 / max`, async () => {
    const { result, record, critical, sim } = await run('one-destination');
    expect(result.status).toBe('SUCCEEDED');
    const plan = result.events.find((e) => e.type === 'StateExited' && e.state?.name === 'PlanSwitch')!.state.output
      .plan;
    const first = plan.batches.slice(0, 30);
    expect(first.every((b: any, i: number) => b.id === i && b.pr === 1 && b.routes.length === 1)).toBe(true);
    expect(first.map((b: any) => `${b.routeTableId} ${b.routes[0].d}`).sort()).toEqual(
      critical.map((m) => `${m.routeTableId} ${m.destination.value}`).sort(),
    );
    expect(plan.batches.slice(30).every((b: any) => b.pr === undefined)).toBe(true);

    const priority = record.routes.filter((r: any) => r.priority);
    expect(critical).toHaveLength(30);
    expect(priority).toHaveLength(30);
    for (const r of priority) expect(r.timeToSwitchMs).toBeLessThan(1500);
    expect(record.timeToSwitch).toMatchObject({ routes: 300, priority: { routes: 30 } });
    expect(record.timeToSwitch.priority.maxMs).toBeLessThan(1500);
    // After the burst, 5 routes a second: the last route waits (300 − 50) / 5 s or so.
    expect(record.timeToSwitch.maxMs).toBeGreaterThan(45_000);
    expect(record.timeToSwitch.p50Ms).toBeLessThan(record.timeToSwitch.maxMs);
    expect(sim.published[0].Message).toMatch(
      new RegExp(
        String.raw`Switched: {3}300 route\(s\) after p50 [\d.]+ s, max [\d.]+ s from the start; priority ` +
          String.raw`routes \(30\) p50 [\d.]+ s, max [\d.]+ s`,
      ),
    );
  }, 60_000);

  it(`without priority the same routes wait their turn \
in table order: those of the last tables come late`, async () => {
    const { record, critical } = await run('none');
    const keys = new Set(critical.map((m) => `${m.routeTableId} ${m.destination.value}`));
    const late = record.routes.filter((r: any) => keys.has(`${r.routeTableId} ${r.destination.value}`));
    // Listed or not, the record's summary has no priority part.
    expect(record.timeToSwitch.priority).toBeUndefined();
    expect(late.length).toBeGreaterThan(10); // the record lists 200 of the 300 routes
    expect(Math.max(...late.map((r: any) => r.timeToSwitchMs))).toBeGreaterThan(30_000);
  }, 60_000);

  it(`the config refuses a priority block that names nothing, \
or a destination that is not a CIDR or prefix list`, () => {
    const base = {
      name: 'g',
      vpcId: 'vpc-0123456789abcdef0',
      members: [
        { name: 'a', instanceId: 'i-0123456789abcdef0' },
        { name: 'b', instanceId: 'i-0123456789abcdef1' },
      ],
    };
    expect(() => parseConfig({ groups: [{ ...base, priority: {} }] })).toThrow(
      /priority names destinations, a routeTableTag, or both/,
    );
    expect(() => parseConfig({ groups: [{ ...base, priority: { destinations: ['not-a-cidr'] } }] })).toThrow(
      /priority/,
    );
    expect(
      parseConfig({ groups: [{ ...base, priority: { routeTableTag: { key: 'tier', value: 'critical' } } }] }).groups[0]
        .priority,
    ).toEqual({ routeTableTag: { key: 'tier', value: 'critical' } });
  });
});
