import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { parseConfig } from '../../functions/contract/config';
import { twinIdentity } from '../../functions/domain/twins';
import type { RunResult } from '../../cli/local/local-runner';
import { buildAssociationPair, VPC_CIDR } from '../../cli/local/scenario';
import type { SimulatedVpc } from '../../sim';
import { associationsHarness, associationsSim } from './associations-harness';
import { ec2StateEvent } from './events';

/**
 * A local route whose target was replaced ("Replace or restore the target for a local route", VPC User
 * Guide): the gateway table of ingress routing sends the whole VPC CIDR through a firewall that is not a
 * member. The per-route mode leaves local routes alone; so must the associations mode: the gateway's traffic
 * never ends on a twin whose local route skips the firewall.
 */

const GROUP = 'onprem-edge';

const setup = async () => {
  const sim = associationsSim(5);
  const estate = buildAssociationPair(sim, { routeTables: 1, groupName: GROUP });
  const firewall = estate.other.eni0;
  await sim.ec2().send(
    new ReplaceRouteCommand({
      RouteTableId: estate.gateway!.routeTableId,
      DestinationCidrBlock: VPC_CIDR,
      NetworkInterfaceId: firewall,
    }),
  );
  const config = parseConfig(estate.config);
  const { run, reconcile } = associationsHarness(sim, config);
  return { sim, estate, firewall, run, reconcile };
};

const record = (r: RunResult): any => r.output ?? r.auditRecord;
const gatewayTable = (sim: SimulatedVpc, gatewayId: string) =>
  sim.routeTables().find((t) => t.Associations?.some((a) => a.GatewayId === gatewayId))!;
const localTarget = (sim: SimulatedVpc, gatewayId: string) =>
  gatewayTable(sim, gatewayId).Routes?.find((r) => r.DestinationCidrBlock === VPC_CIDR)?.NetworkInterfaceId;

describe('associations mode: a local route pointed at a middlebox', () => {
  it(`the twins mirror the original's local target, and the gateway's \
VPC traffic still goes through the firewall after the failover`, async () => {
    const { sim, estate, firewall, run, reconcile } = await setup();
    const gw = estate.gateway!.gatewayId;
    const prepared = await reconcile();
    expect(prepared.ok).toBe(true);
    const twin = sim
      .routeTables()
      .find(
        (t) => twinIdentity(t)?.original === estate.gateway!.routeTableId && twinIdentity(t)?.member === 'router-b',
      )!;
    expect(twin.Routes?.find((r) => r.DestinationCidrBlock === VPC_CIDR)?.NetworkInterfaceId).toBe(firewall);
    expect((await reconcile()).writes).toBe(0);

    sim.setInstanceState(estate.routerA.instanceId, 'stopped');
    const rec = record(await run(ec2StateEvent(estate.routerA.instanceId, 'stopped')));

    expect(rec).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(gatewayTable(sim, gw).RouteTableId).toBe(twin.RouteTableId);
    expect(localTarget(sim, gw)).toBe(firewall);
  });

  it(`a twin whose local route lost the middlebox is drifted: \
the gateway stays on its original, switched route by route`, async () => {
    const { sim, estate, firewall, run, reconcile } = await setup();
    const gw = estate.gateway!.gatewayId;
    await reconcile();
    const twin = sim
      .routeTables()
      .find(
        (t) => twinIdentity(t)?.original === estate.gateway!.routeTableId && twinIdentity(t)?.member === 'router-b',
      )!;
    await sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: twin.RouteTableId!,
        DestinationCidrBlock: VPC_CIDR,
        LocalTarget: true,
      }),
    );

    sim.setInstanceState(estate.routerA.instanceId, 'stopped');
    const rec = record(await run(ec2StateEvent(estate.routerA.instanceId, 'stopped')));

    expect(rec).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(rec.associations.fallbacks.map((f: any) => f.routeTableId)).toContain(estate.gateway!.routeTableId);
    expect(gatewayTable(sim, gw).RouteTableId).toBe(estate.gateway!.routeTableId);
    expect(localTarget(sim, gw)).toBe(firewall);
  });

  it(`a local route on a member's interface (east-west inspection through the router itself): each twin holds it on \
its own member, and after the failover the gateway's VPC traffic goes through router-b`, async () => {
    const sim = associationsSim(5);
    const estate = buildAssociationPair(sim, { routeTables: 1, groupName: GROUP });
    const gw = estate.gateway!.gatewayId;
    await sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: estate.gateway!.routeTableId,
        DestinationCidrBlock: VPC_CIDR,
        NetworkInterfaceId: estate.routerA.eni1,
      }),
    );
    const { run, reconcile } = associationsHarness(sim, parseConfig(estate.config));
    expect((await reconcile()).ok).toBe(true);
    const twin = sim
      .routeTables()
      .find(
        (t) => twinIdentity(t)?.original === estate.gateway!.routeTableId && twinIdentity(t)?.member === 'router-b',
      )!;
    expect(twin.Routes?.find((r) => r.DestinationCidrBlock === VPC_CIDR)).toMatchObject({
      NetworkInterfaceId: estate.routerB.eni1,
      Origin: 'CreateRouteTable',
    });

    sim.setInstanceState(estate.routerA.instanceId, 'stopped');
    const rec = record(await run(ec2StateEvent(estate.routerA.instanceId, 'stopped')));

    // Before: the twins copied the local route onto router-a's interface, so the gateway landed on a twin whose
    // VPC route was blackholed on the stopped router (the route-table invariant names it: `partial`).
    expect(rec).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(gatewayTable(sim, gw).RouteTableId).toBe(twin.RouteTableId);
    expect(localTarget(sim, gw)).toBe(estate.routerB.eni1);
  });
});
