import { CreateRouteCommand, DeleteRouteCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { reconcileTwins } from '../../functions/reconcile-twins/reconcile-twins';
import { twinDrift } from '../../functions/reconcile-twins/plan-twins';
import { handleTwinsEvent } from '../../functions/reconcile-twins/trigger';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { contentsOf, mapContents, sameContents, twinIdentity } from '../../functions/domain/twins';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution } from '../../cli/local/local-runner';
import { buildAssociationPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { ec2StateEvent } from './events';

/**
 * The twin reconcile on the simulated VPC, then a failover: routes added, replaced and removed on an original
 * reach its twins, the reconcile never writes an original, a second pass writes nothing, and a CloudTrail
 * event of a hand edit is what brings the twin back in line.
 */

const GROUP = 'onprem-edge';

const setup = () => {
  const sim = new SimulatedVpc({
    seed: 3,
    latencyMs: 0,
    throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
  });
  const estate = buildAssociationPair(sim, { routeTables: 2, groupName: GROUP });
  const config = parseConfig(estate.config);
  const store = new InMemoryGroupStateStore();
  const deps = { ec2: sim.ec2(), config, store, sleep: async () => undefined };
  const toB = new Map([
    [estate.routerA.eni0, estate.routerB.eni0],
    [estate.routerA.eni1, estate.routerB.eni1],
  ]);
  const twinOf = (original: string, member: string) =>
    sim.routeTables().find((t) => twinIdentity(t)?.original === original && twinIdentity(t)?.member === member);
  /** Whether the router-b twin of `original` holds the original's routes pointed at router-b. */
  const trueToB = (original: string) => {
    const o = sim.routeTables().find((t) => t.RouteTableId === original)!;
    return sameContents(mapContents(contentsOf(o), toB), contentsOf(twinOf(original, 'router-b')!));
  };
  const originalsUntouched = (from: number) =>
    sim
      .mutatingCalls()
      .slice(from)
      .every(
        (c) =>
          twinIdentity(
            sim.routeTables().find((t) => t.RouteTableId === (c.input as { RouteTableId?: string }).RouteTableId) ?? {},
          ) !== undefined || c.action === 'CreateRouteTable',
      );
  return { sim, estate, config, store, deps, twinOf, trueToB, originalsUntouched };
};

describe('the twin reconcile on the simulated VPC', () => {
  it('mirrors routes added, replaced and removed on an original, and never writes the original', async () => {
    const { sim, estate, deps, trueToB, originalsUntouched } = setup();
    const first = await reconcileTwins({}, deps);
    expect(first.ok).toBe(true);
    const [t1] = estate.routeTableIds;
    expect(trueToB(t1)).toBe(true);

    // The network team changes the original (as their IaC would): one route added, one replaced, one removed.
    sim.addRoute(t1, { DestinationCidrBlock: '10.150.0.0/16', NetworkInterfaceId: estate.routerA.eni1 });
    await sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: t1,
        DestinationCidrBlock: '172.16.0.0/12',
        NetworkInterfaceId: estate.routerA.eni1,
      }),
    );
    await sim.ec2().send(new DeleteRouteCommand({ RouteTableId: t1, DestinationCidrBlock: '100.64.0.0/10' }));
    expect(trueToB(t1)).toBe(false);
    expect(
      (await twinDrift(deps, deps.config.groups[0])).originals.find((o: { original: string }) => o.original === t1),
    ).toBeDefined();

    const from = sim.mutatingCalls().length;
    const second = await reconcileTwins({}, deps);
    expect(second.ok).toBe(true);
    expect(trueToB(t1)).toBe(true);
    const writes = sim
      .mutatingCalls()
      .slice(from)
      .map((c) => c.action)
      .sort();
    // Each change reaches both twins of the table (router-b's, and router-a's: the original also routes to router-b).
    expect(writes).toEqual([
      'CreateRoute',
      'CreateRoute',
      'DeleteRoute',
      'DeleteRoute',
      'ReplaceRoute',
      'ReplaceRoute',
    ]);
    expect(originalsUntouched(from)).toBe(true);

    const third = await reconcileTwins({}, deps);
    expect(third).toMatchObject({ ok: true, writes: 0 });
  });

  it(`a CloudTrail event of a hand edit on a twin puts the twin \
back, and the events of that repair change nothing more`, async () => {
    const { sim, estate, deps, config, twinOf, trueToB } = setup();
    await reconcileTwins({}, deps);
    const [t1] = estate.routeTableIds;
    const twin = twinOf(t1, 'router-b')!.RouteTableId!;
    await sim.ec2().send(new DeleteRouteCommand({ RouteTableId: twin, DestinationCidrBlock: '192.168.0.0/16' }));
    expect(trueToB(t1)).toBe(false);
    const event = {
      version: '0',
      id: 'ct-1',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ec2',
      account: sim.accountId,
      time: new Date().toISOString(),
      region: sim.region,
      resources: [],
      detail: {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DeleteRoute',
        awsRegion: sim.region,
        requestParameters: { routeTableId: twin, destinationCidrBlock: '192.168.0.0/16' },
      },
    };
    const repaired = await handleTwinsEvent(event, { ...deps, config });
    expect(repaired.report.ok).toBe(true);
    expect(trueToB(t1)).toBe(true);
    // The repair's own CreateRoute comes back as an event: that pass finds nothing to do.
    const echo = await handleTwinsEvent(
      { ...event, id: 'ct-2', detail: { ...event.detail, eventName: 'CreateRoute' } },
      { ...deps, config },
    );
    expect(echo.report.writes).toBe(0);
  });

  it(`twins the reconcile built carry a failover by \
association: one call per association, no route written`, async () => {
    const { sim, estate, deps, config, store } = setup();
    await reconcileTwins({}, deps);
    sim.setInstanceState(estate.routerA.instanceId, 'stopped');
    const handlers = createTaskHandlers({
      ec2: sim.ec2(),
      sns: sim.sns(),
      config,
      topicArn: sim.createTopic('t'),
      store,
      isExecutionRunning: isLocalExecutionRunning,
      sleep: async () => undefined,
      recheckDelaysMs: [0],
    });
    const from = sim.mutatingCalls().length;
    const r = await runExecution({
      handlers: handlers as never,
      input: ec2StateEvent(estate.routerA.instanceId, 'stopped'),
      retryIntervalMs: 0,
    });
    const rec = (r.output ?? r.auditRecord) as any;
    expect(rec).toMatchObject({
      outcome: 'succeeded',
      associations: { planned: 4, moved: 4, fallbacks: [] },
      verification: { ok: true },
    });
    expect(
      sim
        .mutatingCalls()
        .slice(from)
        .map((c) => c.action),
    ).toEqual(Array(4).fill('ReplaceRouteTableAssociation'));
  });

  it(`after a failover, a route an operator adds to a twin that \
subnets use stays, and the reconcile reports it as drift`, async () => {
    const { sim, estate, deps, config, store, twinOf } = setup();
    await reconcileTwins({}, deps);
    sim.setInstanceState(estate.routerA.instanceId, 'stopped');
    const handlers = createTaskHandlers({
      ec2: sim.ec2(),
      sns: sim.sns(),
      config,
      topicArn: sim.createTopic('t'),
      store,
      isExecutionRunning: isLocalExecutionRunning,
      sleep: async () => undefined,
      recheckDelaysMs: [0],
    });
    const r = await runExecution({
      handlers: handlers as never,
      input: ec2StateEvent(estate.routerA.instanceId, 'stopped'),
      retryIntervalMs: 0,
    });
    expect(((r.output ?? r.auditRecord) as any).outcome).toBe('succeeded');
    const [t1] = estate.routeTableIds;
    const twin = twinOf(t1, 'router-b')!;
    expect(twin.Associations?.some((a) => a.SubnetId)).toBe(true);

    // During the incident the operator sends one more prefix to the surviving router, on the table the subnets now use.
    await sim.ec2().send(
      new CreateRouteCommand({
        RouteTableId: twin.RouteTableId!,
        DestinationCidrBlock: '10.250.0.0/16',
        NetworkInterfaceId: estate.routerB.eni0,
      }),
    );
    const from = sim.mutatingCalls().length;

    const report = await reconcileTwins({}, deps);

    const route = twinOf(t1, 'router-b')!.Routes!.find((x) => x.DestinationCidrBlock === '10.250.0.0/16');
    expect(route).toMatchObject({ NetworkInterfaceId: estate.routerB.eni0 });
    expect(sim.mutatingCalls().slice(from)).toEqual([]);
    const reported = report.groups[0].originals
      .find((o) => o.original === t1)!
      .twins.find((t) => t.member === 'router-b')!;
    expect(reported.inUse).toEqual({
      associations: expect.any(Number),
      drift: [
        {
          table: twin.RouteTableId,
          destination: '10.250.0.0/16',
          target: estate.routerB.eni0,
          wanted: 'none',
          kind: 'extra',
        },
      ],
      omitted: 0,
    });
    expect(report).toMatchObject({ ok: true, writes: 0, liveDrift: 1 });
  });
});
