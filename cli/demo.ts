// The demo runs the SDK's command classes against simulated clients only; the Node 20 support notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import type { RouteTable } from '@aws-sdk/client-ec2';
import { createTaskHandlers } from '../functions/task-handlers';
import { parseConfig } from '../functions/shared/config';
import { routeDestination, routeTarget } from '../functions/shared/routes';
import { runExecution } from './local/local-runner';
import { buildRouterPair } from './local/scenario';
import { SimulatedVpc } from './local/simulated-vpc';

/**
 * `npm run demo`: a simulated VPC with two routers in two AZs (two interfaces each), several route tables
 * with IPv4, IPv6 and prefix-list routes plus routes that must not move; router-a stops; the real
 * statemachine/failover.asl.json runs with the real step functions; route tables before and after, the
 * progress log and the SNS message are printed. No AWS account, no network.
 */
const main = async (): Promise<void> => {
  const sim = new SimulatedVpc({ seed: 42 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  const config = parseConfig(scenario.config, 'demo config');
  const topicArn = sim.createTopic('route-failover');
  const names = new Map<string, string>([
    [scenario.routerA.eni0, 'router-a eth0'],
    [scenario.routerA.eni1, 'router-a eth1'],
    [scenario.routerB.eni0, 'router-b eth0'],
    [scenario.routerB.eni1, 'router-b eth1'],
  ]);

  const before = sim.routeTables();
  heading('Route tables before');
  printTables(before, names);

  heading('router-a stops');
  sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
  const event = {
    version: '0',
    id: 'c0ffee00-0000-4000-8000-000000000001',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${scenario.routerA.instanceId}`],
    detail: { 'instance-id': scenario.routerA.instanceId, state: 'stopping' },
  };
  console.log(JSON.stringify(event));
  const callsBefore = sim.calls.length;

  heading('Workflow (statemachine/failover.asl.json, run in-process)');
  const result = await runExecution({
    handlers: createTaskHandlers({ ec2: sim.ec2(), sns: sim.sns(), config, topicArn }),
    input: event,
    executionName: 'demo-router-a-stopping',
    log: (line) => console.log(line),
  });

  heading('Route tables after (* = moved by this execution)');
  printTables(sim.routeTables(), names, before);

  heading('SNS notification');
  const msg = sim.published.at(-1);
  if (msg) {
    console.log(`Subject: ${msg.Subject}`);
    console.log(`Attributes: ${Object.entries(msg.MessageAttributes ?? {}).map(([k, v]) => `${k}=${(v as { StringValue?: string }).StringValue}`).join(' ')}`);
    console.log('');
    console.log(msg.Message);
  }

  heading('Figures');
  const counts: Record<string, number> = {};
  for (const c of sim.calls.slice(callsBefore)) counts[c.action] = (counts[c.action] ?? 0) + 1;
  console.log(`EC2/SNS calls for this failover: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`execution ${result.status} in ${result.durationMs} ms; outcome: ${result.auditRecord?.outcome}`);
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;
};

const heading = (text: string): void => console.log(`\n=== ${text} ${'='.repeat(Math.max(0, 72 - text.length))}`);

const printTables = (tables: RouteTable[], names: Map<string, string>, before?: RouteTable[]): void => {
  for (const t of tables) {
    const tag = (t.Tags ?? []).map((x) => `${x.Key}=${x.Value}`).join(' ');
    console.log(`${t.RouteTableId}${tag ? `  [${tag}]` : ''}`);
    const old = before?.find((b) => b.RouteTableId === t.RouteTableId);
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      const target = routeTarget(r) ?? '?';
      const prev = old?.Routes?.find((o) => routeDestination(o)?.value === d?.value);
      const moved = prev !== undefined && routeTarget(prev) !== target;
      console.log(
        `  ${moved ? '*' : ' '} ${(d?.value ?? '?').padEnd(26)} ${target.padEnd(24)} ${(names.get(target) ?? '').padEnd(14)} ` +
          `${(r.State ?? '').padEnd(9)} ${r.Origin ?? ''}`,
      );
    }
  }
};

main().catch((err: Error) => {
  console.error(`demo failed: ${err.name}: ${err.message}`);
  process.exit(1);
});
