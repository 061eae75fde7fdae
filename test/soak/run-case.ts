import type { RouteTable } from '@aws-sdk/client-ec2';
import { VirtualClock } from '../../bench/virtual-clock';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { refreshInventory } from '../../functions/refresh-inventory/refresh-inventory';
import { StaticAlarms, statusCheckAlarmName } from '../../functions/domain/alarms';
import { InMemoryWritePacer, REPLACE_ASSOCIATION_PACE, REPLACE_ROUTE_PACE } from '../../functions/domain/pacer';
import { replaceRouteWriteBudget } from '../../functions/domain/write-budget';
import { createTaskHandlers, DEFAULT_STACK_NAME } from '../../cli/local/task-handlers';
import type { FaultSpec } from '../../sim';
import { findingsFor, rememberClient, rememberHandlers } from '../network-truth';
import { ec2StateEvent, statusCheckAlarmEvent } from '../workflow/events';
import type { EstateSpec } from './generators/estate';
import type { FaultGenSpec, HistorySpec } from './generators/history';
import { GROUP, materialize, memberName, type Materialized } from './materialize';

/**
 * One generated case, start to end, in virtual time: the estate is built, the history's failure applied, the
 * workflow (statemachine/failover.asl.json, the real handlers) run once or twice at once, then run again on
 * the same input with the faults gone. What each step leaves is recorded for the invariants (invariants.ts).
 */

export interface Execution {
  result?: RunResult;
  /** The runner itself threw (a definition or payload problem it does not turn into a FAILED execution). */
  thrown?: string;
  /**
   * What the network-truth check (test/network-truth.ts) found right after this delivery; undefined: no claim to check.
   */
  findings?: string[];
  /** The tables the moment this execution ended (a concurrent delivery may change them after). */
  tablesAtEnd: RouteTable[];
}

export interface Observation {
  m: Materialized;
  estate: EstateSpec;
  history: HistorySpec;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
  input: unknown;
  /** The tables as the workflow found them, and right after the first delivery (duplicate included). */
  before: RouteTable[];
  after: RouteTable[];
  /** Index in sim.calls where the first delivery started, and where the re-run started. */
  mark: number;
  rerunMark: number;
  first: Execution[];
  /** The other groups' executions, run at the same time as the first delivery. */
  others: Execution[];
  publishedByFirst: number;
  /** Lease holders of every group after the first deliveries, and after the re-run. */
  holderAfterFirst?: string;
  rerun: Execution;
  publishedByRerun: number;
  afterRerun: RouteTable[];
  holderAfterRerun?: string;
}

/** Lambda timeouts as infra/failover-stack.ts deploys them (SwitchItems: the write budget's). */
const functionTimeouts = (m: Materialized): Record<string, number> => {
  const s: Record<string, number> = {
    AcquireLease: 25,
    ReleaseLease: 25,
    ReleaseLeaseUnrecorded: 25,
    ResolveTargets: 45,
    FirstWrite: 50,
    PlanSwitch: 90,
    SwitchItems: replaceRouteWriteBudget(m.config).functionTimeoutSeconds,
    VerifySwitch: 90,
    Notify: 25,
    RecordWithoutNotification: 25,
  };
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v * 1000]));
};

const faultOf = (f: FaultGenSpec): FaultSpec => {
  switch (f.kind) {
    case 'throttle':
      return { action: f.action, code: 'RequestLimitExceeded', times: f.times };
    case '5xx':
      return { action: f.action, code: 'InternalError', times: f.times };
    case 'hang':
      return { action: f.action, hang: true, times: f.times };
    case 'lost-response':
      return { action: f.action, code: 'InternalError', times: f.times, phase: 'after' };
  }
};

/** The workflow's input for the history's trigger, after making EC2 and CloudWatch say what the history says. */
const applyTrigger = (m: Materialized, history: HistorySpec, alarms: StaticAlarms): unknown => {
  const t = history.trigger;
  const request = { group: GROUP, reason: 'soak', requestedBy: 'soak' };
  switch (t.kind) {
    case 'instance-state': {
      const member = m.members[t.member];
      if (t.real) m.sim.setInstanceState(member.instanceId, t.state);
      return ec2StateEvent(member.instanceId, t.state, new Date(m.clock.now()).toISOString(), 'soak-event');
    }
    case 'alarm': {
      const member = m.members[t.member];
      const alarmName = statusCheckAlarmName(DEFAULT_STACK_NAME, GROUP, member.name);
      alarms.set(alarmName, t.real ? 'ALARM' : 'OK', member.instanceId);
      if (t.real) m.sim.setInstanceStatusCheck(member.instanceId, 'impaired');
      return {
        ...statusCheckAlarmEvent({
          group: GROUP,
          member: member.name,
          instanceId: member.instanceId,
          time: new Date(m.clock.now()).toISOString(),
        }),
        id: 'soak-alarm',
      };
    }
    case 'probe': {
      const member = m.members[t.member];
      m.sim.setInstanceStatusCheck(member.instanceId, 'impaired');
      return {
        source: 'vpc-route-failover.probe',
        group: GROUP,
        member: member.name,
        failedRounds: 3,
        firstFailureAt: new Date(m.clock.now() - 15_000).toISOString(),
        lastError: 'timeout: no answer within 1000 ms',
        probe: {
          ports: [179],
          intervalMs: 250,
          downAfterMs: 1000,
          locations: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        },
      };
    }
    case 'switchover':
      return {
        action: 'switchover',
        ...request,
        ...(t.to === undefined ? {} : { to: memberName(t.to) }),
        dryRun: t.dryRun,
      };
    case 'failback':
      return { action: 'failback', ...request, dryRun: t.dryRun };
  }
};

export const runCase = async (estate: EstateSpec, history: HistorySpec, seed: number): Promise<Observation> => {
  const clock = new VirtualClock();
  return clock.run(
    async () => {
      const m = await materialize(estate, { seed, clock, readLagMs: history.readLagMs });
      const { sim, config, store } = m;
      const now = () => new Date(clock.now());
      const sleep = (ms: number) => clock.sleep(ms);
      const alarms = new StaticAlarms();
      const handlers = createTaskHandlers({
        ec2: sim.ec2(),
        sns: sim.sns(),
        config,
        topicArn: sim.createTopic('route-failover'),
        store,
        alarms,
        isExecutionRunning: isLocalExecutionRunning,
        now,
        sleep,
        pacers: {
          ReplaceRoute: new InMemoryWritePacer(REPLACE_ROUTE_PACE, { now: () => clock.now(), sleep }),
          ReplaceRouteTableAssociation: new InMemoryWritePacer(REPLACE_ASSOCIATION_PACE, {
            now: () => clock.now(),
            sleep,
          }),
        },
      });
      rememberClient(sim.ec2(), sim);
      rememberHandlers(handlers, { ec2: sim.ec2() as never, config });
      const truth = (e: Execution) => {
        const record = e.result && (e.result.output ?? e.result.auditRecord);
        const findings = record ? findingsFor(handlers, record) : undefined;
        if (findings) e.findings = findings.map((f) => `${f.routeTableId} ${f.destination.value}: ${f.problem}`);
      };
      if (history.refreshInventory) await refreshInventory({ ec2: sim.ec2(), config, store, now });
      for (const [i, member] of m.members.entries()) {
        if (i !== estate.active && history.standbyInitializing)
          sim.setInstanceStatusCheck(member.instanceId, 'initializing');
      }
      if (history.impairAz !== undefined) sim.impairAvailabilityZone(m.members[history.impairAz].availabilityZone);
      const input = applyTrigger(m, history, alarms);
      for (const f of history.faults) sim.injectFault(faultOf(f));
      if (history.publish !== 'ok')
        sim.injectFault({
          action: 'Publish',
          code: 'InternalError',
          ...(history.publish === 'fails-once' ? { times: 1 } : {}),
        });

      // The other groups' active members stop for real: their events arrive with the first delivery.
      const otherInputs = m.others.map((o) => {
        sim.setInstanceState(o.members[0].instanceId, 'stopped');
        return ec2StateEvent(o.members[0].instanceId, 'stopped', new Date(clock.now()).toISOString(), `soak-${o.name}`);
      });

      let n = 0;
      const execute = async (input: unknown): Promise<Execution> => {
        try {
          const name = `soak-${seed}-${++n}`;
          const e: Execution = {
            result: await runExecution({
              handlers,
              input,
              executionName: name,
              region: sim.region,
              functionTimeoutMs: functionTimeouts(m),
              now,
            }),
            tablesAtEnd: sim.routeTables(),
          };
          truth(e);
          return e;
        } catch (err) {
          return { thrown: String((err as Error)?.stack ?? err), tablesAtEnd: sim.routeTables() };
        }
      };

      const before = sim.routeTables();
      const mark = sim.calls.length;
      const published = sim.published.length;
      const all = await Promise.all([
        execute(input),
        ...(history.concurrentDuplicate ? [execute(input)] : []),
        ...otherInputs.map(execute),
      ]);
      const first = all.slice(0, history.concurrentDuplicate ? 2 : 1);
      const others = all.slice(first.length);
      const after = sim.routeTables();
      const publishedByFirst = sim.published.length - published;
      const holderAfterFirst = [GROUP, ...m.others.map((o) => o.name)]
        .map((g) => store.holder(g))
        .find((h) => h !== undefined);

      // The same input again once the transient faults are over: it must change nothing further.
      sim.clearFaults();
      await clock.sleep(60_000);
      const rerunMark = sim.calls.length;
      const publishedBefore = sim.published.length;
      const rerun = await execute(input);
      return {
        m,
        estate,
        history,
        handlers,
        input,
        before,
        after,
        mark,
        rerunMark,
        first,
        others,
        publishedByFirst,
        holderAfterFirst,
        rerun,
        publishedByRerun: sim.published.length - publishedBefore,
        afterRerun: sim.routeTables(),
        holderAfterRerun: store.holder(GROUP),
      };
    },
    { seed },
  );
};
