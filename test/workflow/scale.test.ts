import { VirtualClock } from '../../bench/virtual-clock';
import { InMemoryWritePacer, REPLACE_ROUTE_PACE } from '../../functions/domain/pacer';
import { parseConfig } from '../../functions/contract/config';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { estimateHistoryEvents, largestStatePayload, runExecution } from '../../cli/local/local-runner';
import { buildLargeEstate } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

/** Step Functions limits: 256 KB per state payload, 25,000 events per execution history. */
const PAYLOAD_LIMIT = 256 * 1024;
const HISTORY_LIMIT = 25_000;

describe('scale: 2,000 affected routes across 200 route tables in one execution', () => {
  it('moves every route within Step Functions limits, keeping per-route results and attempts', async () => {
    // EC2's documented limits at 2,000 routes take minutes of simulated time: a virtual clock runs them in CPU time.
    const clock = new VirtualClock();
    const sim = new SimulatedVpc({ seed: 21, clock });
    const estate = buildLargeEstate(sim, {
      routeTables: 200,
      routesPerTable: 14,
      affectedPerTable: 10,
      groupName: 'onprem-edge',
    });
    expect(estate.expectedMoves).toHaveLength(2000);
    // A little throttling so that per-route retries are exercised at this size too.
    sim.injectFault({ action: 'ReplaceRoute', code: 'RequestLimitExceeded', probability: 0.05 });
    const config = parseConfig({ ...estate.config, groups: [{ ...estate.config.groups[0], maxConcurrency: 20 }] });
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
    const event = {
      version: '0',
      id: 'scale-1',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date(clock.now()).toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { 'instance-id': estate.routerA.instanceId, state: 'stopping' },
    };

    const result = await clock.run(() => runExecution({ handlers: handlers as never, input: event, now }), {
      seed: 21,
    });

    expect(result.status).toBe('SUCCEEDED');
    const after = new Map<string, string | undefined>();
    for (const t of sim.routeTables())
      for (const r of t.Routes ?? []) after.set(routeKey(t.RouteTableId!, routeDestination(r)!), routeTarget(r));
    for (const m of estate.expectedMoves) expect(after.get(routeKey(m.routeTableId, m.destination))).toBe(m.toEni);

    const history = estimateHistoryEvents(result.events);
    const payload = largestStatePayload(result.events);
    const output = Buffer.byteLength(JSON.stringify(result.output));
    expect(history).toBeLessThan(HISTORY_LIMIT / 10);
    // eslint-disable-next-line no-console
    console.log(
      JSON.stringify(
        Object.fromEntries(
          result.events
            .filter((e) => e.type === 'StateExited' && e.index === undefined)
            .map((e) => [e.state.name, Buffer.byteLength(JSON.stringify(e.state.output))]),
        ),
      ),
    );
    // Well inside the limit; each route's switch time costs about 2.5 bytes of it.
    expect(payload.bytes).toBeLessThan(PAYLOAD_LIMIT * 0.6);
    expect(output).toBeLessThan(PAYLOAD_LIMIT);

    const record = result.output as any;
    expect(record.counts).toMatchObject({ planned: 2000, replaced: 2000, failed: 0, mismatches: 0 });
    // Per-route detail: the record lists as many routes as fit; every ReplaceRoute call is accounted for per route
    // in the batch results in the history.
    expect(record.routes.length + record.routesOmitted).toBe(2000);
    const batchOutputs = result.events
      .filter((e) => e.type === 'StateExited' && e.state?.name === 'SwitchItems')
      .map((e) => e.state.output);
    // Every route not listed as an exception took exactly one call.
    const attempts = batchOutputs
      .map(
        (b: any) =>
          Object.values(b.counts as Record<string, number>).reduce((a, n) => a + n, 0) -
          b.exceptions.length +
          b.exceptions.reduce((a: number, x: any) => a + x.a, 0),
      )
      .reduce((a: number, b: number) => a + b, 0);
    expect(attempts).toBe(sim.calls.filter((c) => c.action === 'ReplaceRoute').length);
    // Paced: EC2's ReplaceRoute bucket is never found empty, except by the injected throttling.
    expect(
      sim.calls.filter((c) => c.action === 'ReplaceRoute' && c.error === 'RequestLimitExceeded').length,
    ).toBeLessThan(0.08 * 2000);
    expect(pacer.stats.reserved).toBe(sim.calls.filter((c) => c.action === 'ReplaceRoute').length);
    // eslint-disable-next-line no-console
    console.log(
      `2,000 routes: ${history} history events (est.), largest state ${(payload.bytes / 1024).toFixed(1)} KB ` +
        `(${payload.state}), output ${(output / 1024).toFixed(1)} KB, ${batchOutputs.length} batches`,
    );
  }, 60_000);
});
