import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { demoVpc } from './demo-vpc';
import { instanceStateEvent } from './local/events';
import { runExecution, type RunResult } from './local/local-runner';
import { buildRouterPair } from './local/scenario';
import { createTaskHandlers } from './local/task-handlers';

/**
 * The demo's address part, on a simulated VPC of its own: a VPN router pair, vpn-a holding the Elastic IP the
 * on-premises peer dials on eth0 and a second one on eth1, with the routes to it. vpn-a stops: the workflow moves
 * the routes and both Elastic IPs to vpn-b's paired interfaces in the same run, verified and recorded; then the
 * failback returns them. Returns false when a run did not succeed or an address is not where it must be.
 */
export const runAddressesDemo = async (heading: (text: string) => void, who: string): Promise<boolean> => {
  // The routes mode's estate, its group listing the two Elastic IPs allocated on the simulated account.
  const eips: string[] = [];
  const { sim, estate, config, group, topicArn } = demoVpc('routes', 44, (vpc) => {
    const pair = buildRouterPair(vpc, { routeTables: 1, groupName: 'vpn' });
    eips.push(vpc.allocateAddress({ publicIp: '198.51.100.10' }), vpc.allocateAddress({ publicIp: '198.51.100.11' }));
    return { ...pair, config: { ...pair.config, groups: [{ ...pair.config.groups[0], elasticIps: eips }] } };
  });
  const [peerFacing, inside] = eips;
  const { routerA, routerB } = estate;
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: peerFacing, NetworkInterfaceId: routerA.eni0 }));
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: inside, NetworkInterfaceId: routerA.eni1 }));
  const store = new InMemoryGroupStateStore();
  const names = new Map([
    [routerA.eni0, 'router-a eth0'],
    [routerA.eni1, 'router-a eth1'],
    [routerB.eni0, 'router-b eth0'],
    [routerB.eni1, 'router-b eth1'],
  ]);
  const show = () => {
    for (const id of [peerFacing, inside]) {
      const a = sim.address(id);
      const on = a?.NetworkInterfaceId;
      console.log(`  ${a?.PublicIp} (${id})  on ${on ? `${names.get(on) ?? on} ${a?.PrivateIpAddress}` : 'nothing'}`);
    }
  };
  let ok = true;
  const run = async (input: unknown, name: string, wantOn: string[]): Promise<RunResult> => {
    const from = sim.calls.length;
    const r = await runExecution({
      handlers: createTaskHandlers({ ec2: sim.ec2(), sns: sim.sns(), config, topicArn, store }),
      input,
      executionName: name,
    });
    const message = sim.published.at(-1)?.Message ?? '';
    // The notification's address section, as the on-call engineer reads it.
    const start = message.indexOf('Addresses:');
    if (start >= 0) console.log(message.slice(start, message.indexOf('\n\n', start + 1)).trimEnd());
    show();
    const writes: Record<string, number> = {};
    const wrote = (x: { action: string; tookEffect?: boolean; input: Record<string, unknown> }) =>
      x.tookEffect === true && x.input.DryRun !== true && /^(Replace|Associate|Assign|Disassociate)/.test(x.action);
    for (const c of sim.calls.slice(from).filter(wrote)) writes[c.action] = (writes[c.action] ?? 0) + 1;
    console.log(
      `EC2 writes: ${Object.entries(writes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    console.log(`outcome: ${r.auditRecord?.outcome}: ${r.auditRecord?.summary}`);
    const placed = [peerFacing, inside].map((id) => sim.address(id)?.NetworkInterfaceId);
    if (r.auditRecord?.outcome !== 'succeeded' || placed.some((eni, i) => eni !== wantOn[i])) ok = false;
    return r;
  };

  heading('Addresses: a VPN router’s Elastic IPs follow the failover');
  console.log(`group ${group.name} with "elasticIps": the peer dials 198.51.100.10; before:`);
  show();

  heading('vpn router-a stops');
  sim.setInstanceState(routerA.instanceId, 'stopping');
  await run(
    instanceStateEvent(routerA.instanceId, 'stopping', 'c0ffee00-0000-4000-8000-0000000000a1'),
    'demo-vpn-router-a-stopping',
    [routerB.eni0, routerB.eni1],
  );

  heading('vpn router-a repaired: failback');
  sim.setInstanceState(routerA.instanceId, 'running');
  console.log(`$ route-failover failback --group ${group.name} --reason "router-a repaired" --wait`);
  await run(
    { action: 'failback', group: group.name, reason: 'router-a repaired', requestedBy: who },
    'demo-vpn-failback',
    [routerA.eni0, routerA.eni1],
  );
  return ok;
};
