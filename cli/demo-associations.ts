import { reconcileTwins } from '../functions/reconcile-twins/reconcile-twins';
import { parseConfig } from '../functions/contract/config';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { createTaskHandlers } from './local/task-handlers';
import { SimulatedVpc } from '../sim';
import { runExecution, type RunResult } from './local/local-runner';
import { buildAssociationPair } from './local/scenario';
import { type ExecutionEntry, parseRecord } from './route-failover/executions';
import { associationsSection } from './route-failover/record-sections';
import { renderHistoryLine } from './route-failover/render-history';
import { instanceStateEvent } from './local/events';

/**
 * The demo's associations-mode part, on a second simulated VPC: `route-failover prepare` builds router-b's
 * twin of each table; router-a stops and the workflow moves every subnet, gateway and main association to
 * the twins with one ReplaceRouteTableAssociation each and no ReplaceRoute; then the failback moves them
 * back to the originals. Returns false when a run did not succeed or EC2 saw other writes than those.
 */
export const runAssociationsDemo = async (heading: (text: string) => void, who: string): Promise<boolean> => {
  // Building the twins creates a few dozen routes at once: CreateRoute's bucket is widened for that set-up
  // only (ReplaceRoute and ReplaceRouteTableAssociation keep EC2's documented rates), as the tests do.
  const sim = new SimulatedVpc({
    seed: 43,
    throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
  });
  const estate = buildAssociationPair(sim, { routeTables: 2, groupName: 'onprem-edge' });
  const config = parseConfig(estate.config, 'demo config (associations mode)');
  const group = config.groups[0];
  const store = new InMemoryGroupStateStore();
  const topicArn = sim.createTopic('route-failover');
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
  return {
    name: run.executionArn.split(':').pop() ?? '?',
    arn: run.executionArn,
    status: run.status,
    startDate: parsed?.record.startedAt ? new Date(parsed.record.startedAt) : undefined,
    stopDate: parsed?.record.finishedAt ? new Date(parsed.record.finishedAt) : undefined,
    input,
    parsed,
    error: run.error,
    cause: run.cause,
  };
};
