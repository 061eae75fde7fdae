// The demo runs the SDK's command classes against simulated clients only; the Node 20 support notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import type { RouteTable } from '@aws-sdk/client-ec2';
import { InMemoryWritePacer } from '../functions/domain/pacer';
import { createTaskHandlers } from './local/task-handlers';
import { type FailoverConfig, parseConfig } from '../functions/contract/config';
import { routeDestination, routeTarget } from '../functions/domain/routes';
import type { ManualRequest } from '../functions/contract/triggers';
import { runAssociationsDemo } from './demo-associations';
import { runAddressesDemo } from './demo-addresses';
import { runExecution, type RunResult } from './local/local-runner';
import { buildRouterPair } from './local/scenario';
import { SimulatedVpc } from '../sim';
import { executionName } from './route-failover/commands/switchover';
import { type ExecutionEntry, parseRecord } from './route-failover/executions';
import { compactStatus, readGroupStatus } from './route-failover/group-status';
import { renderHistoryLine, renderHistoryTable } from './route-failover/render-history';
import { instanceStateEvent } from './local/events';

/**
 * `npm run demo`: a simulated VPC with two routers in two AZs (two interfaces each), several route tables
 * with IPv4, IPv6 and prefix-list routes plus routes that must not move; router-a stops; the real
 * statemachine/failover.asl.json runs with the real step functions; route tables before and after, the
 * progress log and the SNS message are printed. No AWS account, no network.
 *
 * Then, on the same VPC, the operator's side (what `route-failover` sends and prints): router-a is repaired,
 * a dry run of the failback (DryRun calls only, nothing changes), the failback with a reason, and a planned
 * switchover to router-b for patching router-a and back. Each step prints the group's routes per member
 * (as `route-failover status` reads them) and the execution's audit line (as `route-failover history` does).
 *
 * Then the associations mode on a VPC of its own (demo-associations.ts): twins built, router-a fails over
 * by moving associations, and back. Last, a VPN router pair (demo-addresses.ts): its Elastic IPs follow the
 * failover and the failback with the routes.
 */
const main = async (): Promise<void> => {
  const sim = new SimulatedVpc({ seed: 42 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  const config = parseConfig(scenario.config, 'demo config');
  const topicArn = sim.createTopic('route-failover');
  // One account: every run of the demo draws ReplaceRoute from the same write pacer.
  const pacer = new InMemoryWritePacer();
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
  const event = instanceStateEvent(scenario.routerA.instanceId, 'stopping', 'c0ffee00-0000-4000-8000-000000000001');
  console.log(JSON.stringify(event));
  const callsBefore = sim.calls.length;

  heading('Workflow (statemachine/failover.asl.json, run in-process)');
  const result = await runExecution({
    handlers: createTaskHandlers({ ec2: sim.ec2(), sns: sim.sns(), config, topicArn, pacers: { ReplaceRoute: pacer } }),
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
    console.log(
      `Attributes: ${Object.entries(msg.MessageAttributes ?? {})
        .map(([k, v]) => `${k}=${(v as { StringValue?: string }).StringValue}`)
        .join(' ')}`,
    );
    console.log('');
    console.log(msg.Message);
  }

  heading('Figures');
  const counts: Record<string, number> = {};
  for (const c of sim.calls.slice(callsBefore)) counts[c.action] = (counts[c.action] ?? 0) + 1;
  console.log(
    `EC2/SNS calls for this failover: ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(`execution ${result.status} in ${result.durationMs} ms; outcome: ${result.auditRecord?.outcome}`);
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;

  const group = config.groups[0];
  const entries: ExecutionEntry[] = [entryOf(result, event)];
  console.log(`\naudit line:  ${renderHistoryLine(entries[0])}`);
  await showRoutes(sim, config);

  // The operator's side: manual requests, exactly the input `route-failover` starts the workflow with.
  const manual = async (
    title: string,
    command: string,
    request: Omit<ManualRequest, 'dryRun'> & { dryRun?: boolean },
  ): Promise<RunResult> => {
    heading(title);
    console.log(`$ ${command}`);
    const input = { dryRun: false, ...request };
    // Names carry the second they start in, as the CLI's do; in a fast demo two may share one, so wait for the next.
    let name = executionName(request.action, request.group, new Date(), input.dryRun);
    while (entries.some((e) => e.name === name)) {
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
      name = executionName(request.action, request.group, new Date(), input.dryRun);
    }
    const callsFrom = sim.calls.length;
    const run = await runExecution({
      handlers: createTaskHandlers({
        ec2: sim.ec2(),
        sns: sim.sns(),
        config,
        topicArn,
        pacers: { ReplaceRoute: pacer },
      }),
      input,
      executionName: name,
    });
    const replaces = sim.calls.slice(callsFrom).filter((c) => c.action === 'ReplaceRoute');
    const dry = replaces.filter((c) => (c.input as { DryRun?: boolean }).DryRun === true).length;
    console.log(`input: ${JSON.stringify(input)}`);
    console.log(
      `ReplaceRoute calls: ${replaces.length}${dry ? ` (${dry} with DryRun: EC2 answered DryRunOperation, nothing changed)` : ''}; SNS: ${sim.published.at(-1)?.Subject}`,
    );
    const entry = entryOf(run, input);
    entries.unshift(entry);
    console.log(`audit line:  ${renderHistoryLine(entry)}`);
    await showRoutes(sim, config);
    if (run.status !== 'SUCCEEDED') process.exitCode = 1;
    return run;
  };

  heading('router-a is repaired and running again');
  sim.setInstanceState(scenario.routerA.instanceId, 'running');
  await showRoutes(sim, config);

  const who = 'arn:aws:sts::123456789012:assumed-role/NetOps/alice';
  await manual(
    'Rehearse the failback (dry run)',
    `route-failover failback --group ${group.name} --dry-run --reason "rehearse failback"`,
    {
      action: 'failback',
      group: group.name,
      dryRun: true,
      reason: 'rehearse failback',
      requestedBy: who,
    },
  );
  await manual(
    'Fail back to router-a',
    `route-failover failback --group ${group.name} --reason "router-a repaired (INC-2211)" --wait`,
    {
      action: 'failback',
      group: group.name,
      reason: 'router-a repaired (INC-2211)',
      requestedBy: who,
    },
  );
  await manual(
    'Planned maintenance: switch over to router-b',
    `route-failover switchover --group ${group.name} --to router-b --reason "patch router-a (CHG-1042)" --wait`,
    { action: 'switchover', group: group.name, to: 'router-b', reason: 'patch router-a (CHG-1042)', requestedBy: who },
  );
  await manual(
    'router-a patched: back to the preferred member',
    `route-failover failback --group ${group.name} --reason "router-a patched (CHG-1042)" --wait`,
    {
      action: 'failback',
      group: group.name,
      reason: 'router-a patched (CHG-1042)',
      requestedBy: who,
    },
  );

  heading('The audit log ($ route-failover history --group onprem-edge)');
  console.log(renderHistoryTable(entries));

  // The same failover in the associations mode, on a VPC of its own.
  if (!(await runAssociationsDemo(heading, who))) process.exitCode = 1;
  // A VPN router's Elastic IPs following the failover, on a VPC of its own.
  if (!(await runAddressesDemo(heading, who))) process.exitCode = 1;
};

/** The history entry `route-failover history` would build for a finished local run. */
const entryOf = (run: RunResult, input: unknown): ExecutionEntry => {
  const parsed = parseRecord(run.auditRecord);
  const started = parsed?.record.startedAt ? new Date(parsed.record.startedAt) : undefined;
  const stopped = parsed?.record.finishedAt ? new Date(parsed.record.finishedAt) : undefined;
  return {
    name: run.executionArn.split(':').pop() ?? '?',
    arn: run.executionArn,
    status: run.status,
    startDate: started,
    stopDate: stopped,
    input,
    parsed,
    error: run.error,
    cause: run.cause,
  };
};

/** The group's routes per member, read from the route tables as `route-failover status` does. */
const showRoutes = async (sim: SimulatedVpc, config: FailoverConfig): Promise<void> => {
  for (const g of config.groups)
    console.log(`routes:      ${g.name}: ${compactStatus(await readGroupStatus(g, sim.ec2()))}`);
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
  // exitCode, not exit(): what the demo printed reaches a pipe whole.
  process.exitCode = 1;
});
