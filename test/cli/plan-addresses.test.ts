import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { cliHarness, serveExecutions } from './helpers';
import { STATE_MACHINE_ARN } from './recorded';

/** switchover --plan shows the addresses that would follow, and one that cannot before anything starts. */

const setup = async (extra: (sim: SimulatedVpc, s: ReturnType<typeof buildRouterPair>) => object = () => ({})) => {
  const sim = new SimulatedVpc({ seed: 9 });
  const scenario = buildRouterPair(sim, { routeTables: 1, groupName: 'vpn' });
  const eip0 = sim.allocateAddress({ publicIp: '203.0.113.10' });
  const eip1 = sim.allocateAddress({ publicIp: '203.0.113.11' });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eip0, NetworkInterfaceId: scenario.routerA.eni0 }));
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eip1, NetworkInterfaceId: scenario.routerA.eni1 }));
  const group = { ...scenario.config.groups[0], elasticIps: [eip0, eip1], ...extra(sim, scenario) };
  const h = cliHarness({
    ec2: sim.ec2(),
    files: { 'failover.json': JSON.stringify({ ...scenario.config, groups: [group] }) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN, ROUTE_FAILOVER_STATE_TABLE: 'state' },
  });
  serveExecutions(h.mocks.sfn, []);
  return { sim, scenario, h, eip0, eip1 };
};

it('lists each Elastic IP with where it is and where it goes, slot to slot, and starts nothing', async () => {
  const { sim, scenario, h, eip0, eip1 } = await setup();
  const r = await h.run(['switchover', '--config', 'failover.json', '--group', 'vpn', '--to', 'router-b', '--plan']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('addresses: 2 address(es) to move, 0 already in place');
  expect(r.stdout).toMatch(
    new RegExp(
      `Elastic IP 203\\.0\\.113\\.10 \\(${eip0}\\) eth0: router-a ${scenario.routerA.eni0} .* → router-b ` +
        `${scenario.routerB.eni0} `,
    ),
  );
  expect(r.stdout).toMatch(
    new RegExp(
      `Elastic IP 203\\.0\\.113\\.11 \\(${eip1}\\) eth1: router-a ${scenario.routerA.eni1} .* → router-b ` +
        `${scenario.routerB.eni1} `,
    ),
  );
  expect(h.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  expect(sim.mutatingCalls().filter((c) => c.action === 'AssociateAddress')).toHaveLength(2); // the set-up's
});

it('names a cross-zone secondary private IP that cannot follow, before anything starts', async () => {
  const { h } = await setup((sim, s) => ({ secondaryPrivateIps: [sim.addSecondaryPrivateIp(s.routerA.eni1)] }));
  const r = await h.run(['switchover', '--config', 'failover.json', '--group', 'vpn', '--to', 'router-b', '--plan']);
  expect(r.code).not.toBe(0);
  expect(`${r.stdout}${r.stderr}`).toMatch(/cannot move.*\(cross-subnet\).*us-east-1a → us-east-1b/s);
  expect(h.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
});
