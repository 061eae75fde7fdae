import { type StaticAlarms, statusCheckAlarmName } from '../../functions/domain/alarms';
import { DEFAULT_STACK_NAME } from './task-handlers';
import type { FailoverConfig } from '../../functions/contract/config';
import { alarmInstanceId, FAILURE_STATES, parseTrigger } from '../../functions/contract/triggers';
import type { SimulatedVpc } from '../../sim';

/**
 * Builds a simulated VPC that matches a config, so `npm run local -- --simulate` can rehearse a config and
 * an input without AWS: every group's VPC and members (with the configured IDs, running, two interfaces
 * each), its route tables (configured IDs or tag, else one table) with IPv4, IPv6 and prefix-list routes on
 * the first member, the preferred one if set. An input event that says a member failed is applied to it.
 */
export const simulateConfig = (
  sim: SimulatedVpc,
  config: FailoverConfig,
  input: unknown,
  alarms?: StaticAlarms,
  stackName = DEFAULT_STACK_NAME,
): void => {
  config.groups.forEach((group, gi) => {
    sim.addVpc({
      vpcId: group.vpcId,
      cidr: `10.${gi}.0.0/16`,
      ipv6Cidr: `2600:1f18:${(0x1000 + gi).toString(16)}:1200::/56`,
    });
    const enis = new Map<string, string[]>();
    group.members.forEach((m, mi) => {
      sim.addInstance({
        vpcId: group.vpcId,
        instanceId: m.instanceId,
        availabilityZone: `us-east-1${'abcdef'[mi % 6]}`,
        state: 'running',
      });
      enis.set(
        m.name,
        [0, 1].map((deviceIndex) =>
          sim.addNetworkInterface({
            vpcId: group.vpcId,
            instanceId: m.instanceId,
            deviceIndex,
            sourceDestCheck: false,
          }),
        ),
      );
    });
    const active = enis.get(group.preferred ?? group.members[0].name)!;
    const scope = group.routeTables;
    const tables =
      scope && 'ids' in scope
        ? scope.ids.map((id) => sim.addRouteTable({ vpcId: group.vpcId, routeTableId: id }))
        : [
            sim.addRouteTable({
              vpcId: group.vpcId,
              tags: scope && 'tag' in scope ? { [scope.tag.key]: scope.tag.value } : { Name: `${group.name}-private` },
            }),
          ];
    for (const rtb of tables) {
      sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: active[0] });
      sim.addRoute(rtb, { DestinationCidrBlock: '172.16.0.0/12', NetworkInterfaceId: active[1] });
      sim.addRoute(rtb, { DestinationIpv6CidrBlock: 'fd00:10::/48', NetworkInterfaceId: active[1] });
      sim.addRoute(rtb, { DestinationPrefixListId: `pl-0${gi}00000000000001`, NetworkInterfaceId: active[0] });
    }
  });

  // Every member's status-check alarm exists and is OK, as the stack creates them.
  for (const g of config.groups)
    for (const m of g.members) alarms?.set(statusCheckAlarmName(stackName, g.name, m.name), 'OK', m.instanceId);

  // Make the simulated world agree with the event: the instance it names is in the state it reports.
  try {
    const t = parseTrigger(input);
    if (t.kind === 'instance-state' && (FAILURE_STATES as readonly string[]).includes(t.event.detail.state)) {
      sim.setInstanceState(t.event.detail['instance-id'], t.event.detail.state as never);
    }
    if (t.kind === 'alarm') {
      const id = alarmInstanceId(t.event);
      if (id) sim.setInstanceStatusCheck(id, 'impaired');
      // CloudWatch agrees with the event: the alarm it names is in ALARM (the workflow still checks it is the stack's).
      if (id) alarms?.set(t.event.detail.alarmName, 'ALARM', id);
    }
  } catch {
    // A bad input is the workflow's to reject, by name; nothing to apply here.
  }
};
