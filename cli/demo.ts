// The demo runs the SDK's command classes against simulated clients only; the Node 20 support notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import type { RouteTable } from '@aws-sdk/client-ec2';
import { InMemoryWritePacer } from '../functions/domain/pacer';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { createTaskHandlers } from './local/task-handlers';
import type { FailoverConfig } from '../functions/contract/config';
import { routeDestination, routeTarget } from '../functions/domain/routes';
import type { ManualRequest } from '../functions/contract/triggers';
import { reconcileTwins } from '../functions/reconcile-twins/reconcile-twins';
import { runAddressesDemo } from './demo-addresses';
import { demoVpc } from './demo-vpc';
import { runExecution, type RunResult } from './local/local-runner';
import { buildAssociationPair, buildRouterPair } from './local/scenario';
import type { SimulatedVpc } from '../sim';
import { executionName } from './route-failover/commands/switchover';
import { type ExecutionEntry, parseRecord } from './route-failover/executions';
import { compactStatus, readGroupStatus } from './route-failover/group-status';
import { associationsSection } from './route-failover/record-sections';
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
 * Then the associations mode on a VPC of its own: twins built, router-a fails over by moving associations,
 * and back. Last, a VPN router pair (demo-addresses.ts): its Elastic IPs follow the failover and the failback
 * with the routes. Each part runs on the one estate builder (demoVpc) with its switch mode's estate.
 */
const main = async (): Promise<void> => {
  await runRoutesDemo();
  // The same failover in the associations mode, on a VPC of its own.
  if (!(await runAssociationsDemo(heading, OPERATOR))) process.exitCode = 1;
  // A VPN router's Elastic IPs following the failover, on a VPC of its own.
  if (!(await runAddressesDemo(heading, OPERATOR))) process.exitCode = 1;
};

/** The operator the demo's manual requests come from. */
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/NetOps/alice';

/** The routes mode: router-a stops, then the operator's dry run, failback and planned switchover. */
const runRoutesDemo = async (): Promise<void> => {
  const vpc = demoVpc('routes', 42, (sim) => buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' }));
  const { sim, estate: scenario, config, topicArn } = vpc;
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
      `ReplaceRoute calls: ${replaces.length}` +
        (dry ? ` (${dry} with DryRun: EC2 answered DryRunOperation, nothing changed)` : '') +
        `; SNS: ${sim.published.at(-1)?.Subject}`,
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

  const who = OPERATOR;
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
};

/**
 * The demo's associations-mode part (exported: a test holds it to what it prints), on a second simulated
 * VPC: `route-failover prepare` builds router-b's twin of each table; router-a stops and the workflow moves
 * every subnet, gateway and main association to the twins with one ReplaceRouteTableAssociation each and no
 * ReplaceRoute; then the failback moves them back to the originals. Returns false when a run did not succeed
 * or EC2 saw other writes than those.
 */
export const runAssociationsDemo = async (heading: (text: string) => void, who: string): Promise<boolean> => {
  // Building the twins creates a few dozen routes at once: CreateRoute's bucket is widened for that set-up
  // only (ReplaceRoute and ReplaceRouteTableAssociation keep EC2's documented rates), as the tests do.
  const { sim, estate, config, group, topicArn } = demoVpc(
    'associations',
    43,
    (s) => buildAssociationPair(s, { routeTables: 2, groupName: 'onprem-edge' }),
    { throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } } },
  );
  const store = new InMemoryGroupStateStore();
  const nameOf = (id: string) =>
    sim
      .routeTables()
      .find((t) => t.RouteTableId === id)
      ?.Tags?.find((x) => x.Key === 'Name')?.Value ?? id;
  const subjects = [
    ...estate.subnets.map((s) => ({
      label: `${s.subnetId}${s.explicit ? '' : ' (main table, implicit)'}`,
      table: () => sim.effectiveRouteTableId(s.subnetId),
    })),
    ...(estate.gateway
      ? [{ label: `${estate.gateway.gatewayId} (ingress)`, table: () => gatewayTable(sim, estate.gateway!.gatewayId) }]
      : []),
  ];
  const width = Math.max(...subjects.map((s) => s.label.length));
  const showSubjects = () => {
    for (const s of subjects) console.log(`  ${s.label.padEnd(width)}  uses ${nameOf(s.table())}`);
  };
  let ok = true;

  heading('Associations mode: subnets move to standby twin tables');
  console.log(`group ${group.name} with "switchMode": "associations"; ${subjects.length} subjects:`);
  showSubjects();

  console.log(`\n$ route-failover prepare --group ${group.name}`);
  const report = await reconcileTwins({ groups: [group.name] }, { ec2: sim.ec2(), config, store });
  for (const o of report.groups.flatMap((g) => g.originals)) {
    for (const t of o.twins.filter((x) => x.created))
      console.log(
        `  ${nameOf(o.original)}: twin for ${t.member} ${t.twin} created, ${t.changes.counts.added} route(s)`,
      );
  }
  console.log(`  ${report.writes} write(s) sent${report.ok ? '' : '; FAILED'}`);
  ok &&= report.ok;

  const run = async (title: string, input: unknown, name: string, command?: string): Promise<RunResult> => {
    heading(title);
    if (command) console.log(`$ ${command}`);
    const from = sim.calls.length;
    const result = await runExecution({
      handlers: createTaskHandlers({ ec2: sim.ec2(), sns: sim.sns(), config, topicArn, store }),
      input,
      executionName: name,
    });
    const record = parseRecord(result.auditRecord)?.record;
    if (record) for (const line of associationsSection.lines(record).slice(1)) console.log(line);
    const writes: Record<string, number> = {};
    for (const c of sim.calls
      .slice(from)
      .filter((x) => ['ReplaceRouteTableAssociation', 'ReplaceRoute', 'CreateRoute', 'DeleteRoute'].includes(x.action)))
      writes[c.action] = (writes[c.action] ?? 0) + 1;
    const moves = writes.ReplaceRouteTableAssociation ?? 0;
    const others = Object.entries(writes).filter(([k]) => k !== 'ReplaceRouteTableAssociation');
    console.log(
      `\nEC2 writes: ReplaceRouteTableAssociation ${moves}, ReplaceRoute ${writes.ReplaceRoute ?? 0}` +
        (others.length === 0
          ? ' (one call per association, no route rewritten)'
          : `; also ${others.map(([k, v]) => `${k} ${v}`).join(', ')}`),
    );
    if (result.status !== 'SUCCEEDED' || moves !== (record?.associations?.planned ?? -1) || others.length > 0)
      ok = false;
    showSubjects();
    console.log(`audit line:  ${renderHistoryLine(entryOf(result, input))}`);
    return result;
  };

  sim.setInstanceState(estate.routerA.instanceId, 'stopping');
  const event = instanceStateEvent(estate.routerA.instanceId, 'stopping', 'c0ffee00-0000-4000-8000-000000000002');
  await run(
    "router-a stops: the workflow moves the associations to router-b's twins",
    event,
    'demo-associations-router-a-stopping',
  );

  sim.setInstanceState(estate.routerA.instanceId, 'running');
  const failback = {
    action: 'failback',
    group: group.name,
    dryRun: false,
    reason: 'router-a repaired (INC-2212)',
    requestedBy: who,
  };
  await run(
    "router-a repaired: fail back, each subject to a table in router-a's state",
    failback,
    'demo-associations-failback',
    `route-failover failback --group ${group.name} --reason "router-a repaired (INC-2212)" --wait`,
  );
  // The private tables also send some prefixes to router-b, so their originals are not in router-a's state.
  console.log("(a subject returns to its original when the original is in router-a's state, else to router-a's twin)");
  return ok;
};

/** The table a gateway is associated with (edge association), as EC2 reports it. */
const gatewayTable = (sim: SimulatedVpc, gatewayId: string): string =>
  sim
    .routeTables()
    .find((t) =>
      (t.Associations ?? []).some((a) => a.GatewayId === gatewayId && a.AssociationState?.State !== 'disassociated'),
    )?.RouteTableId ?? '-';

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
        `  ${moved ? '*' : ' '} ${(d?.value ?? '?').padEnd(26)} ${target.padEnd(24)} ` +
          `${(names.get(target) ?? '').padEnd(14)} ` +
          `${(r.State ?? '').padEnd(9)} ${r.Origin ?? ''}`,
      );
    }
  }
};

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`demo failed: ${err.name}: ${err.message}`);
    // exitCode, not exit(): what the demo printed reaches a pipe whole.
    process.exitCode = 1;
  });
}
