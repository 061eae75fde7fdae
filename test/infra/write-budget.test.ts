import { parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import * as acquireLease from '../../functions/acquire-lease/acquire-lease';
import {
  checkWriteBudget,
  EXECUTION_TIMEOUT_SECONDS,
  OTHER_TASKS_SECONDS,
  REPLACE_ROUTES_TASK_TIMEOUT_SECONDS,
  replaceRouteWriteBudget,
  WriteBudgetError,
} from '../../functions/domain/write-budget';
import { loadDefinition } from '../../cli/local/local-runner';
import { exampleConfig, synth } from './synth';

const LEASE_EXECUTION_TIMEOUT_SECONDS = acquireLease.EXECUTION_TIMEOUT_SECONDS;

/** `n` routes-mode groups of two routers each, every one at `maxConcurrency`. */
const groups = (n: number, maxConcurrency: number, extra: object = {}): FailoverConfigInput => {
  const [g] = exampleConfig().groups;
  return {
    ...exampleConfig(),
    groups: Array.from({ length: n }, (_, k) => ({
      ...g,
      ...extra,
      name: `edge-${k + 1}`,
      maxConcurrency,
      members: g.members.map((m, i) => ({ ...m, instanceId: `i-0a1b2c3d4e5f6${String(k).padStart(2, '0')}${i}0` })),
    })),
  };
};

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('the SwitchItems write budget, derived from the groups', () => {
  it(`covers the longest queue of turns the groups can form: Σ maxConcurrency \
batches of 20, at 5/s past EC2's 50 less the 5 a queue keeps`, () => {
    // One group at the default 10: 200 turns, ⌈155 / 5⌉ = 31 s, plus 100 s of retries.
    expect(replaceRouteWriteBudget(parseConfig(groups(1, 10)))).toMatchObject({
      writers: 10,
      turns: 200,
      queueWaitMs: 31_000,
      budgetMs: 131_000,
      functionTimeoutSeconds: 151,
    });
    // Three groups at the default 10 exceeded the old fixed 100 s on paper (110 s); maxConcurrency 40, 151 s.
    expect(replaceRouteWriteBudget(parseConfig(groups(3, 10))).queueWaitMs).toBe(111_000);
    expect(replaceRouteWriteBudget(parseConfig(groups(1, 40))).queueWaitMs).toBe(151_000);
    // Associations-mode groups draw from another bucket: they do not lengthen the ReplaceRoute queue.
    const mixed = parseConfig({
      ...groups(2, 40),
      groups: groups(2, 40).groups.map((g, i) => (i === 1 ? { ...g, switchMode: 'associations' } : g)),
    });
    expect(replaceRouteWriteBudget(mixed).writers).toBe(40);
  });

  it("states the ASL's figures it relies on: the SwitchItems Task's and the execution's TimeoutSeconds", () => {
    const definition = loadDefinition({}, 'us-east-1') as any;
    expect(definition.TimeoutSeconds).toBe(EXECUTION_TIMEOUT_SECONDS);
    expect(LEASE_EXECUTION_TIMEOUT_SECONDS).toBe(EXECUTION_TIMEOUT_SECONDS);
    const batch = definition.States.SwitchBatches.ItemProcessor.States.SwitchItems;
    expect(batch.TimeoutSeconds).toBe(REPLACE_ROUTES_TASK_TIMEOUT_SECONDS);
    const other = ['AcquireLease', 'ResolveTargets', 'PlanSwitch', 'VerifySwitch', 'Notify', 'ReleaseLease'].map(
      (s) => definition.States[s].TimeoutSeconds,
    );
    expect(other.reduce((a: number, b: number) => a + b, 0)).toBe(OTHER_TASKS_SECONDS);
  });
});

describe('synth refuses a config whose batches could not be served in time (WriteBudgetError)', () => {
  it('sizes the SwitchItems function timeout from the budget, below its Task timeout', () => {
    const { template } = synth(groups(3, 40));
    const replace = Object.values(template.findResources('AWS::Lambda::Function')).find((f: any) =>
      String(f.Properties.Description).startsWith('One batch of the plan'),
    ) as any;
    // 120 × 20 = 2,400 turns: ⌈2,355 / 5⌉ = 471 s, + 100 s + 20 s.
    expect(replace.Properties.Timeout).toBe(591);
    expect(replace.Properties.Timeout).toBeLessThan(REPLACE_ROUTES_TASK_TIMEOUT_SECONDS);
  });

  it(`names the groups, their maxConcurrency and the arithmetic \
when a batch could wait longer than a function may run`, () => {
    const error = errorOf(() => synth(groups(5, 40)));
    expect(error).toBeInstanceOf(WriteBudgetError);
    expect(error).toBeInstanceOf(ConfigError); // printed by infra/app.ts without a stack trace
    expect(error.name).toBe('WriteBudgetError');
    expect(error.message).toContain(
      '"edge-1" maxConcurrency 40, "edge-2" maxConcurrency 40, "edge-3" maxConcurrency 40, "edge-4" maxConcurrency ' +
        '40, "edge-5" maxConcurrency 40',
    );
    expect(error.message).toContain(
      '200 SwitchItems invocations at once (Σ maxConcurrency) hold up to 200 × 20 = 4000 ReplaceRoute turns',
    );
    expect(error.message).toContain(
      'the last batch waits up to 791 s, plus 100 s for its retries and 20 s to report = 911 s',
    );
    expect(error.message).toContain('over the 890 s a SwitchItems invocation may run');
    expect(error.message).toContain('groups[].maxConcurrency');
  });

  it("counts the longest hold-down against the execution's 1800 s", () => {
    // 170 writers: 3,400 turns, 671 s + 120 s = 791 s fits a function; with a 600 s hold-down and 390 s of
    // other Tasks, 1781 s fits.
    const fits = groups(17, 10, { autoFailback: { holdDownSeconds: 600 } });
    expect(checkWriteBudget(parseConfig(fits)).functionTimeoutSeconds).toBe(791);
    // 175 writers: 3,500 turns, 691 s + 120 s = 811 s; 600 + 390 + 811 = 1801 s, over 1800 s.
    const over = {
      ...fits,
      groups: [
        ...fits.groups,
        {
          ...fits.groups[0],
          name: 'edge-18',
          maxConcurrency: 5,
          members: fits.groups[0].members.map((m, i) => ({ ...m, instanceId: `i-0a1b2c3d4e5f6ff${i}0` })),
        },
      ],
    };
    const error = errorOf(() => checkWriteBudget(parseConfig(over)));
    expect(error).toBeInstanceOf(WriteBudgetError);
    expect(error.message).toContain('"edge-18" maxConcurrency 5');
    expect(error.message).toContain(
      'with the longest hold-down (600 s) and the other Tasks (390 ' +
        "s) the execution needs 1801 s, over the state machine's 1800 s",
    );
  });
});
