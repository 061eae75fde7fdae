import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { parseConfig } from '../../functions/contract/config';
import { writeBatch } from '../../functions/aws/paced-writer';
import { routeSwitch, type RouteSwitchDeps } from '../../functions/aws/route-switch';
import type { ReplaceBatchInput } from '../../functions/contract/schemas';
import { createEc2Client } from '../../functions/aws/clients';
import { runExecution } from '../../cli/local/local-runner';
import { startQueryEndpoint } from '../../sim/query-endpoint';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

/** One route batch through the routes kind and the paced writer, as SwitchItems writes it. */
const replaceRoutes = (i: ReplaceBatchInput, d: RouteSwitchDeps) => writeBatch(routeSwitch, i, d);

/**
 * A dry run is judged by EC2's answers: only DryRunOperation counts as rehearsed. An endpoint that ignores
 * DryRun answers success and changes the route; the run must say so loudly, never "nothing changed".
 */
const setup = () => {
  const sim = new SimulatedVpc({ seed: 23 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  const config = parseConfig(scenario.config);
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('t'),
    sleep: async () => undefined,
    recheckDelaysMs: [0],
  });
  const run = () =>
    runExecution({
      handlers: handlers as never,
      input: {
        action: 'switchover',
        group: 'onprem-edge',
        to: 'router-b',
        dryRun: true,
        requestedBy: 'netops',
        reason: 'rehearsal',
      },
      retryIntervalMs: 0,
    });
  return { sim, scenario, run };
};

describe('dry run against an endpoint that ignores DryRun', () => {
  it(`every ReplaceRoute answered success: the routes changed, the \
run fails as DryRunIgnored, critical, never "nothing changed"`, async () => {
    const { sim, scenario, run } = setup();
    sim.injectFault({ action: 'ReplaceRoute', ignoreDryRun: true });

    const result = await run();

    // The endpoint really changed them: that is what the record must say.
    for (const m of scenario.expectedMoves)
      expect(sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DryRunIgnored');
    expect(result.cause).toMatch(
      new RegExp(
        `^dry run NOT honoured: ${scenario.expectedMoves.length} of ` +
          `${scenario.expectedMoves.length} route\\(s\\) CHANGED to router-b`,
      ),
    );
    const r = result.auditRecord!;
    expect(r).toMatchObject({
      outcome: 'failed',
      dryRun: true,
      counts: { dryRun: 0, dryRunIgnored: scenario.expectedMoves.length, moved: scenario.expectedMoves.length },
    });
    expect(new Set(r.routes.map((x: any) => x.status))).toEqual(new Set(['dry-run-ignored']));
    for (const x of r.routes) expect(x.after).toMatchObject({ member: 'router-b' });
    expect(r.summary).not.toMatch(/nothing changed/i);
    const [message] = sim.published;
    expect(message.MessageAttributes?.severity?.StringValue).toBe('critical');
    expect(message.Subject).toMatch(/^\[FAILOVER FAILED\] onprem-edge: router-a -> router-b, DryRunIgnored$/);
    expect(message.Message).not.toMatch(/nothing (was )?changed/i);
    expect(message.Message).toContain(
      `Dry run:    yes, but the endpoint IGNORED DryRun: ${scenario.expectedMoves.length} route(s) were CHANGED`,
    );
  });

  it('one route ignored, the others rehearsed: still DryRunIgnored, naming that route only', async () => {
    const { sim, scenario, run } = setup();
    sim.injectFault({ action: 'ReplaceRoute', ignoreDryRun: true, times: 1 });

    const result = await run();

    expect(result.error).toBe('DryRunIgnored');
    const r = result.auditRecord!;
    expect(r.counts).toMatchObject({ dryRunIgnored: 1, dryRun: scenario.expectedMoves.length - 1 });
    const changed = r.routes.filter((x: any) => x.status === 'dry-run-ignored');
    expect(changed).toHaveLength(1);
    expect(changed[0].after.member).toBe('router-b');
    expect(sim.route(changed[0].routeTableId, changed[0].destination.value)?.NetworkInterfaceId).toBe(
      changed[0].after.target,
    );
    expect(result.cause).toContain(
      `${changed[0].routeTableId} ${changed[0].destination.value}: ReplaceRoute with DryRun answered success`,
    );
    // Every other route is untouched.
    expect(sim.mutatingCalls()).toHaveLength(1);
  });

  it('an endpoint that honours DryRun: the dry run is a dry run', async () => {
    const { sim, scenario, run } = setup();

    const result = await run();

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      outcome: 'dry-run',
      counts: { dryRun: scenario.expectedMoves.length, dryRunIgnored: 0 },
    });
    expect(sim.mutatingCalls()).toHaveLength(0);
  });

  it(`over HTTP with the real EC2Client: DryRun=true goes on the \
wire, the endpoint ignores it, and the batch says dry-run-ignored`, async () => {
    const sim = new SimulatedVpc({ seed: 24 });
    const scenario = buildRouterPair(sim, { routeTables: 1 });
    const rtb = scenario.routeTableIds[0];
    sim.injectFault({ action: 'ReplaceRoute', ignoreDryRun: true });
    const endpoint = await startQueryEndpoint(sim);
    const ec2 = createEc2Client({
      region: 'us-east-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      const result = await replaceRoutes(
        {
          batch: { id: 0, routeTableId: rtb, routes: [{ d: '192.168.0.0/16', p: 0 }] },
          group: scenario.groupName,
          vpcId: scenario.vpcId,
          pairs: [
            { slot: '0/0', fromMember: 'router-a', fromEni: scenario.routerA.eni0, toEni: scenario.routerB.eni0 },
          ],
          dryRun: true,
        },
        { ec2, config: parseConfig(scenario.config), store: new InMemoryGroupStateStore() },
      );
      expect(result).toMatchObject({ usual: 'dry-run-ignored', counts: { 'dry-run-ignored': 1 } });
      expect(sim.calls.find((c) => c.action === 'ReplaceRoute')?.input).toMatchObject({ DryRun: true });
      expect(sim.route(rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(scenario.routerB.eni0);
    } finally {
      ec2.destroy();
      await endpoint.close();
    }
  });
});
