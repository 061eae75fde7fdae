import validator from 'asl-validator';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WORK_RESERVE_SECONDS } from '../../functions/acquire-lease/acquire-lease';
import { TARGET_STATUS_WAIT_SECONDS } from '../../functions/contract/errors';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { ASL_PATH, loadDefinition, placeholdersOf, taskStateNames } from '../../cli/local/local-runner';

const text = readFileSync(ASL_PATH, 'utf8');
const raw = JSON.parse(text);

const statesOf = (def: any): Array<[string, any]> => {
  const out: Array<[string, any]> = [];
  const walk = (states: Record<string, any>) => {
    for (const [name, s] of Object.entries(states)) {
      out.push([name, s]);
      if (s.ItemProcessor?.States) walk(s.ItemProcessor.States);
    }
  };
  walk(def.States);
  return out;
};

describe('statemachine/failover.asl.json', () => {
  it('validates with asl-validator (placeholders accepted as ARNs)', () => {
    const result = validator(raw, { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has one placeholder per function (a folder under functions/); each Task names one and has a handler', () => {
    const tasks = taskStateNames(raw);
    const functions = readdirSync(path.join(__dirname, '..', '..', 'functions'), { withFileTypes: true })
      .filter(
        (d) =>
          d.isDirectory() &&
          !['contract', 'domain', 'aws', 'probe', 'refresh-inventory', 'reconcile-twins', 'guard'].includes(d.name),
      )
      .map((d) => `${d.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}FunctionArn`);
    expect(placeholdersOf(text).sort()).toEqual(functions.sort());
    for (const [name, s] of statesOf(raw))
      if (s.Type === 'Task')
        expect({ name, resource: functions.map((f) => `\${${f}}`).includes(s.Resource) }).toEqual({
          name,
          resource: true,
        });
    const handlers = createTaskHandlers({} as never);
    expect(Object.keys(handlers).sort()).toEqual([...tasks].sort());
  });

  it('a failed notification still releases the lease, keeps the audit record in the history, fails by name', () => {
    expect(raw.States.Notify.Catch.map((c: any) => c.Next)).toEqual(['RecordWithoutNotification']);
    expect(raw.States.RecordWithoutNotification).toMatchObject({
      Resource: '${NotifyFunctionArn}',
      Next: 'ReleaseLease',
      Parameters: { publish: false },
    });
    expect(raw.States.RecordWithoutNotification.Catch.map((c: any) => c.Next)).toEqual(['ReleaseLeaseUnrecorded']);
    expect(raw.States.ReleaseLeaseUnrecorded).toMatchObject({
      Resource: '${ReleaseLeaseFunctionArn}',
      Next: 'NotificationAndRecordFailed',
    });
    expect(raw.States.CheckOutcome.Choices[0]).toMatchObject({ Next: 'NotificationFailed' });
    expect(raw.States.NotificationFailed).toMatchObject({
      Type: 'Fail',
      Error: 'NotificationFailed',
      CausePath: '$.notification.cause',
    });
    expect(raw.States.NotificationAndRecordFailed).toMatchObject({ Type: 'Fail', Error: 'NotificationFailed' });
  });

  it('substitutes every placeholder', () => {
    const loaded = JSON.stringify(loadDefinition({}, 'eu-west-1'));
    expect(loaded).not.toMatch(/\$\{/);
    expect(loaded).toContain('arn:aws:lambda:eu-west-1:000000000000:function:vpc-route-failover-SwitchItems');
  });

  it('is JSONPath (the local runner ignores JSONata and Assign)', () => {
    expect(raw.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(text).not.toMatch(/"Assign"|\{%/);
  });

  it('retries only transient errors, with backoff and full jitter, never States.ALL', () => {
    for (const [name, s] of statesOf(raw)) {
      for (const r of s.Retry ?? []) {
        expect({ name, errors: r.ErrorEquals }).not.toEqual(
          expect.objectContaining({ errors: expect.arrayContaining(['States.ALL']) }),
        );
        expect(r.ErrorEquals).not.toContain('States.TaskFailed');
        // The status-check wait is a wait of a known length, not a herd to spread (see TARGET_STATUS_WAIT_SECONDS).
        expect({ name, errors: r.ErrorEquals, jitter: r.JitterStrategy }).toEqual({
          name,
          errors: r.ErrorEquals,
          jitter: r.ErrorEquals.includes('TargetStatusPendingError') ? 'NONE' : 'FULL',
        });
        expect(r.BackoffRate).toBeGreaterThan(1);
        expect(r.MaxDelaySeconds).toBeGreaterThan(0);
      }
    }
  });

  it('waits TARGET_STATUS_WAIT_SECONDS (about 5.5 min) for status checks to settle, then catches by name', () => {
    const [r] = raw.States.ResolveTargets.Retry.filter((x: any) => x.ErrorEquals.includes('TargetStatusPendingError'));
    expect(r.ErrorEquals).toEqual(['TargetStatusPendingError']);
    // Step Functions waits IntervalSeconds × BackoffRate^(n-1), at most MaxDelaySeconds, before retry n.
    const waits = Array.from({ length: r.MaxAttempts }, (_x, n) =>
      Math.min(r.IntervalSeconds * r.BackoffRate ** n, r.MaxDelaySeconds),
    );
    expect(waits).toEqual([20, 30, 45, 60, 60, 60, 60]);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(TARGET_STATUS_WAIT_SECONDS);
    expect(raw.States.ResolveTargets.Catch[0].ErrorEquals).toContain('TargetStatusPendingError');
    // The wait comes out of the time a lease waiter keeps for its own work, so a run that waited never times out.
    expect(WORK_RESERVE_SECONDS).toBeGreaterThanOrEqual(480 + TARGET_STATUS_WAIT_SECONDS);
  });

  it('catches every failure of every Task and routes it to Notify (or records it per batch)', () => {
    // Each Task's Catch targets, named errors first then States.ALL; a new Task must be added here on purpose.
    const catchTargets: Record<string, string[]> = {
      AcquireLease: ['AcquireFailed', 'AcquireFailed'],
      ResolveTargets: ['ResolveFailed', 'ResolveFailed'],
      // The early write is an optimization: whatever happens to it, the full path follows.
      FirstWrite: ['PlanSwitch'],
      PlanSwitch: ['Notify', 'Notify'],
      // Routes and associations alike: a failed batch is recorded and the Map goes on; VerifySwitch reads the rest.
      SwitchItems: ['RecordBatchFailure', 'RecordBatchFailure'],
      VerifySwitch: ['Notify', 'Notify'],
      Notify: ['RecordWithoutNotification'],
      RecordWithoutNotification: ['ReleaseLeaseUnrecorded'],
      ReleaseLeaseUnrecorded: ['NotificationAndRecordFailed'],
      ReleaseLease: ['CheckOutcome'],
    };
    const tasks = statesOf(raw).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(Object.keys(catchTargets).sort());
    for (const [name, s] of tasks) {
      const catches = s.Catch ?? [];
      expect({ name, nexts: catches.map((c: any) => c.Next), last: catches.at(-1)?.ErrorEquals }).toEqual({
        name,
        nexts: catchTargets[name],
        last: ['States.ALL'],
      });
    }
    // The batch failure is recorded inside the Map's iteration, next to the Task, and ends that iteration only.
    const iteration = raw.States.SwitchBatches.ItemProcessor.States;
    expect(iteration.RecordBatchFailure).toMatchObject({ Type: 'Pass', End: true });
    expect(iteration.SwitchItems.Catch.map((c: any) => c.ErrorEquals[0])).toEqual([
      'BatchNotAuthorizedError',
      'States.ALL',
    ]);
  });

  it('never names DeleteRoute or CreateRoute anywhere in the workflow', () => {
    expect(text).not.toMatch(/DeleteRoute|CreateRoute/);
  });

  it('ends every failure in a Fail state whose Error and Cause come from the audit record', () => {
    expect(raw.States.FailoverFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' });
    expect(
      raw.States.CheckOutcome.Choices.filter((c: any) => c.StringEquals)
        .map((c: any) => c.StringEquals)
        .sort(),
    ).toEqual(['failed', 'partial', 'suppressed']);
  });
});
