import {
  CreateRouteCommand,
  CreateRouteTableCommand,
  DescribeRouteTablesCommand,
  EnableVgwRoutePropagationCommand,
} from '@aws-sdk/client-ec2';
import { destinationParams } from '../../functions/domain/routes';
import { contentsOf, mapContents, sameContents, twinTags } from '../../functions/domain/twins';
import type { SimulatedVpc } from '../../sim';

/**
 * Stages twins the way the reconcile does, with EC2 calls on the simulator, for workflow tests that must not
 * depend on the reconcile: for each given original and each member map, unless the original already is in
 * that member's state, a table tagged as its twin holding the original's routes with the member's interfaces. Returns
 * twin IDs by `${original}|${member}`.
 */
export const stageTwins = async (
  sim: SimulatedVpc,
  group: string,
  originals: string[],
  members: Array<{ member: string; map: Map<string, string> }>,
): Promise<Map<string, string>> => {
  const ec2 = sim.ec2();
  const out = new Map<string, string>();
  const { RouteTables = [] } = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: originals }));
  for (const original of RouteTables) {
    for (const { member, map } of members) {
      const wanted = mapContents(contentsOf(original), map);
      // As the reconcile does: no twin for a member whose state the original already is.
      if (sameContents(wanted, contentsOf(original))) continue;
      const created = await ec2.send(
        new CreateRouteTableCommand({
          VpcId: original.VpcId!,
          TagSpecifications: [{ ResourceType: 'route-table', Tags: twinTags(group, original, member) }],
        }),
      );
      const id = created.RouteTable!.RouteTableId!;
      for (const r of wanted.routes.values())
        await ec2.send(
          new CreateRouteCommand({
            RouteTableId: id,
            ...destinationParams(r.destination),
            [r.target.field]: r.target.id,
          }),
        );
      for (const GatewayId of wanted.vgws)
        await ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: id, GatewayId }));
      out.set(`${original.RouteTableId}|${member}`, id);
    }
  }
  return out;
};
