import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { buildRouterPair } from '../../cli/local/scenario';
import { destinationParams } from '../../functions/domain/routes';
import { SimulatedVpc } from '../../sim';
import { cliHarness } from './helpers';
import { STATE_MACHINE_ARN } from './recorded';

/**
 * route-failover guard and the guard in status, against the simulated VPC (EC2) and a mocked group-state table
 * holding what the deployed stack left: the last switch to router-b, and the deployed guard's last pass.
 */

const TABLE = 'group-state';

const estate = () => {
  const sim = new SimulatedVpc({ seed: 9 });
  const scenario = buildRouterPair(sim, { routeTables: 2, groupName: 'edge' });
  const h = cliHarness({
    ec2: sim.ec2(),
    files: { 'failover.json': JSON.stringify(scenario.config) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN, ROUTE_FAILOVER_STATE_TABLE: TABLE },
  });
  const history = {
    lastSwitch: {
      at: '2026-11-25T14:00:00Z',
      triggerTime: '2026-11-25T14:00:00Z',
      executionId: 'arn:x',
      automatic: true,
      triggerId: 'e',
      to: 'router-b',
      from: ['router-a'],
    },
    automaticSwitches: [],
  };
  const item: Record<string, unknown> = { group: { S: 'edge' }, history: { S: JSON.stringify(history) } };
  h.mocks.ddb.on(GetItemCommand).callsFake(() => ({ Item: item }));
  return { sim, scenario, h, item };
};

const failOver = async (sim: SimulatedVpc, scenario: ReturnType<typeof buildRouterPair>, except = 0) => {
  for (const m of scenario.expectedMoves.slice(except)) {
    await sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: m.routeTableId,
        ...destinationParams(m.destination),
        NetworkInterfaceId: m.toEni,
      }),
    );
  }
  sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
};

describe('route-failover guard', () => {
  it(`reports the routes left on the member the last \
switch left (exit 1), stores nothing, starts nothing`, async () => {
    const { sim, scenario, h } = estate();
    await failOver(sim, scenario, 2);

    const r = await h.run(['guard', '--config', 'failover.json']);

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^edge: active router-b \(the last switch\): 2 FINDING\(S\)/);
    for (const m of scenario.expectedMoves.slice(0, 2))
      expect(r.stdout).toContain(`departed  ${m.routeTableId} ${m.destination.value} -> ${m.fromEni} (router-a)`);
    expect(h.mocks.ddb).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(h.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it(`--converge starts the switchover to the active member, \
named after the finding set; a clean group exits 0`, async () => {
    const { sim, scenario, h } = estate();
    await failOver(sim, scenario, 1);
    h.mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:x` });

    const r = await h.run(['guard', '--config', 'failover.json', '--converge', '--json']);

    const report = JSON.parse(r.stdout);
    expect(report.groups[0].convergence).toMatchObject({
      status: 'started',
      name: expect.stringMatching(/^guard-edge-[0-9a-f]{12}-\d+$/),
    });
    const [call] = h.mocks.sfn.commandCalls(StartExecutionCommand);
    expect(call.args[0].input).toMatchObject({
      stateMachineArn: STATE_MACHINE_ARN,
      name: report.groups[0].convergence.name,
    });
    expect(JSON.parse(call.args[0].input.input!)).toEqual({
      action: 'switchover',
      group: 'edge',
      to: 'router-b',
      reason: expect.stringMatching(/^route guard: 1 route/),
      requestedBy: 'route-failover guard',
    });

    await failOver(sim, scenario);
    expect((await h.run(['guard', '--config', 'failover.json'])).code).toBe(0);
  });
});

describe('status shows the guard', () => {
  it("the deployed guard's last pass and its open findings", async () => {
    const { sim, scenario, h, item } = estate();
    await failOver(sim, scenario);
    const finding = {
      kind: 'departed',
      routeTableId: 'rtb-1',
      destination: '10.9.0.0/16',
      target: 'eni-1',
      member: 'router-a',
      problem: 'p',
      cause: { who: 'arn:aws:sts::1:assumed-role/Terraform/ci', when: 't', call: 'ReplaceRoute' },
    };
    item.guard = {
      S: JSON.stringify({
        lastPassAt: '2026-11-25T14:29:30.000Z',
        active: { member: 'router-b', from: 'last-switch' },
        hash: 'h',
        notifiedHash: 'h',
        since: '2026-11-25T14:20:00.000Z',
        total: 1,
        counts: { departed: 1 },
        findings: [finding],
        baseline: { switchId: 'arn:x', tables: [] },
      }),
    };

    const text = await h.run(['status', '--config', 'failover.json']);
    expect(text.stdout).toContain(
      'guard: last pass 2026-11-25T14:29:30.000Z against router-b: 1 OPEN FINDING(S) since 2026-11-25T14:20:00.000Z',
    );
    expect(text.stdout).toContain(
      'departed rtb-1 10.9.0.0/16 -> eni-1 (router-a) [ReplaceRoute by arn:aws:sts::1:assumed-role/Terraform/ci]',
    );

    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);
    expect(json.groups[0].guard).toMatchObject({
      lastPassAt: '2026-11-25T14:29:30.000Z',
      openFindings: 1,
      since: '2026-11-25T14:20:00.000Z',
      findings: [finding],
    });
  });
});
