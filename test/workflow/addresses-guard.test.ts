import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { guardEstate } from '../../bench/guard';
import { recordOf as record } from '../../bench/false-success';
import { SimulatedVpc } from '../../sim';

/** The guard between failovers evaluates the invariant's address clause too, on the simulated VPC. */

const failedOverWithAddresses = async () => {
  const sim = new SimulatedVpc({ seed: 17 });
  const ids: string[] = [];
  const g = guardEstate({
    sim,
    config: (c) => {
      ids.push(sim.allocateAddress({ publicIp: '203.0.113.10' }), sim.allocateAddress({ publicIp: '203.0.113.11' }));
      return { ...c, groups: [{ ...c.groups[0], elasticIps: [...ids] }] };
    },
  });
  const { routerA } = g.scenario;
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: ids[0], NetworkInterfaceId: routerA.eni0 }));
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: ids[1], NetworkInterfaceId: routerA.eni1 }));
  await g.refresh();
  const r = await g.run(g.fail());
  expect(record(r).outcome).toBe('succeeded');
  expect(sim.address(ids[1])?.NetworkInterfaceId).toBe(g.scenario.routerB.eni1);
  return { g, sim, ids };
};

it('holds after the failover; an Elastic IP put back on the dead router is a finding, notified', async () => {
  const { g, sim, ids } = await failedOverWithAddresses();
  expect(await g.pass()).toMatchObject({ ok: true, findings: 0 });

  await sim.ec2().send(
    new AssociateAddressCommand({
      AllocationId: ids[1],
      NetworkInterfaceId: g.scenario.routerA.eni1,
      AllowReassociation: true,
    }),
  );
  const report = (await g.pass()).groups[0];
  expect(report).toMatchObject({ total: 1, change: 'opened', counts: { address: 1, departed: 0 } });
  expect(report.findings?.[0]).toMatchObject({
    kind: 'address',
    destination: '203.0.113.11',
    target: g.scenario.routerA.eni1,
    member: 'router-a',
  });
  expect(g.notices).toHaveLength(1);
  expect(g.notices[0].message).toMatch(/203\.0\.113\.11/);
});
