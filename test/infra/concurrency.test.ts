import type { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { ConfigError, ReservedConcurrencyError } from '../../functions/contract/errors';
import { LAMBDA_UNRESERVED_MINIMUM, planReservedConcurrency } from '../../infra/concurrency';
import { exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const TASKS = ['AcquireLease', 'ResolveTargets', 'PlanSwitch', 'SwitchItems', 'VerifySwitch', 'Notify', 'ReleaseLease'];

/** ReservedConcurrentExecutions of each Task function, by ASL state name. */
const reservations = (template: Template): Record<string, number | undefined> => {
  const resources = template.toJSON().Resources;
  const [sm] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Json[];
  return Object.fromEntries(
    TASKS.map((task) => [
      task,
      resources[sm.Properties.DefinitionSubstitutions[`${task}FunctionArn`]['Fn::GetAtt'][0]].Properties
        .ReservedConcurrentExecutions,
    ]),
  );
};

const twoGroups = (): FailoverConfigInput => {
  const raw = exampleConfig();
  raw.groups[0].maxConcurrency = 10;
  raw.groups.push({
    name: 'dmz',
    vpcId: 'vpc-0fedcba9876543210',
    maxConcurrency: 20,
    members: [
      { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
      { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
    ],
  });
  return raw;
};

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

/** The example with a reservedConcurrency section stating an established account's quota. */
const reserving = (settings: Record<string, unknown> = {}): FailoverConfigInput => ({
  ...exampleConfig(),
  reservedConcurrency: { accountConcurrency: 1000, ...settings },
});

describe('reserved concurrency', () => {
  it(`reserves nothing for the Task functions without a \
reservedConcurrency section: what any account can deploy`, () => {
    expect(Object.values(reservations(synth(exampleConfig()).template))).toEqual(Array(7).fill(undefined));
    expect(planReservedConcurrency(parseConfig(exampleConfig()))).toBeUndefined();
  });

  it("requires the account's quota to reserve: it is never assumed", () => {
    const error = errorOf(() =>
      parseConfig({ ...exampleConfig(), reservedConcurrency: { simultaneousExecutions: 2 } }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('reservedConcurrency.accountConcurrency: required when reserving concurrency');
    expect(error.message).toContain('Service Quotas');
    expect(() => parseConfig({ ...exampleConfig(), reservedConcurrency: { enabled: false } })).not.toThrow();
  });

  it('never prints a negative number: a quota of 100 or less can reserve none, and says what quota would do', () => {
    const small = errorOf(() => planReservedConcurrency(parseConfig(reserving({ accountConcurrency: 10 }))));
    expect(small).toBeInstanceOf(ReservedConcurrencyError);
    expect(small.message).toContain(
      'an account with a concurrency quota of 10 (reservedConcurrency.accountConcurrency) can reserve none',
    );
    expect(small.message).toContain('Remove the reservedConcurrency section');
    expect(small.message).toContain('at least 149 for this');
    expect(small.message).not.toMatch(/-\d/);
    const off = errorOf(() =>
      planReservedConcurrency(parseConfig(reserving({ enabled: false, accountConcurrency: 100 }))),
    );
    expect(off.message).toContain('would reserve 1 concurrent executions (probes 0 (3 per location), route guard 1)');
    expect(off.message).toContain('can reserve none');
    expect(off.message).not.toMatch(/-\d/);
  });

  it(`with a section, reserves for SwitchItems the group's Map concurrency \
plus headroom, for the other Tasks 4 per group plus headroom`, () => {
    const { template } = synth(reserving());
    // maxConcurrency 10 × 1 execution + 2; 4 × 1 group + 2.
    expect(reservations(template)).toEqual({
      AcquireLease: 6,
      ResolveTargets: 6,
      PlanSwitch: 6,
      SwitchItems: 12,
      VerifySwitch: 6,
      Notify: 6,
      ReleaseLease: 6,
    });
  });

  it('sums maxConcurrency over the groups and multiplies it by the configured simultaneous executions', () => {
    const raw = twoGroups();
    raw.reservedConcurrency = { simultaneousExecutions: 3, headroom: 5, otherTasks: 7, accountConcurrency: 1000 };
    const r = reservations(synth(raw).template);
    expect(r.SwitchItems).toBe((10 + 20) * 3 + 5);
    for (const task of TASKS.filter((t) => t !== 'SwitchItems')) expect(r[task]).toBe(7);
  });

  it('reserves nothing for the Task functions when turned off (the probe keeps its 1)', () => {
    const raw = exampleConfig();
    raw.reservedConcurrency = { enabled: false };
    expect(Object.values(reservations(synth(raw).template))).toEqual(Array(7).fill(undefined));
  });

  it(`fails synth with a named error, the numbers and the \
fields to change, when the total does not fit the account`, () => {
    const raw = twoGroups();
    raw.groups.forEach((g) => {
      g.maxConcurrency = 40;
    });
    raw.reservedConcurrency = { simultaneousExecutions: 10, headroom: 100, accountConcurrency: 1000 };
    const error = errorOf(() => synth(raw));
    expect(error).toBeInstanceOf(ReservedConcurrencyError);
    expect(error).toBeInstanceOf(ConfigError); // printed by infra/app.ts without a stack trace
    expect(error.name).toBe('ReservedConcurrencyError');
    // SwitchItems 80 × 10 + 100 = 900, the other six 4 × 2 + 100 = 108 each, the route guard 1: 1549, over 1000 − 100.
    expect(error.message).toContain('would reserve 1549 concurrent executions');
    expect(error.message).toContain('can reserve at most 900');
    expect(error.message).toContain('reservedConcurrency.accountConcurrency');
    expect(error.message).toContain('groups[].maxConcurrency');
  });

  it('allows exactly the account quota minus the 100 Lambda keeps unreserved, and not one more', () => {
    expect(LAMBDA_UNRESERVED_MINIMUM).toBe(100);
    const base = parseConfig(reserving());
    const total = planReservedConcurrency(base)!.total; // 12 + 6 × 6 + the route guard's 1
    expect(total).toBe(49);
    const withQuota = (accountConcurrency: number) =>
      parseConfig({ ...exampleConfig(), reservedConcurrency: { accountConcurrency } });
    expect(planReservedConcurrency(withQuota(total + 100))).toMatchObject({ total, limit: total });
    const error = errorOf(() => planReservedConcurrency(withQuota(total + 99)));
    expect(error).toBeInstanceOf(ReservedConcurrencyError);
    expect(error.message).toContain(
      `would reserve ${total} concurrent executions (SwitchItems 12 (Σ maxConcurrency 10 × simultaneousExecutions 1 ` +
        `+ headroom 2), 6 other Tasks × 6, probes 0 (3 per location), route guard 1)`,
    );
    expect(error.message).toContain(`quota of ${total + 99}`);
    expect(error.message).toContain(`can reserve at most ${total - 1}`);
  });

  it("checks a quota of 1000: the largest groups the schema allows don't fit with more than one execution each", () => {
    const raw = twoGroups();
    raw.groups.forEach((g) => {
      g.maxConcurrency = 40;
    });
    raw.reservedConcurrency = { simultaneousExecutions: 10, headroom: 200, accountConcurrency: 1000 };
    // 80 × 10 + 200 = 1000 for SwitchItems alone, over 900.
    expect(() => synth(raw)).toThrow(ReservedConcurrencyError);
    raw.reservedConcurrency = { simultaneousExecutions: 5, accountConcurrency: 1000 };
    expect(() => synth(raw)).not.toThrow(); // 402 + 6 × 10
  });

  it('counts the probes in the total: 3 per location (overlapping invocations at each hand-over)', () => {
    const raw = reserving();
    raw.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] };
    raw.groups[0].members.forEach((m, i) => {
      m.probeAddress = `10.0.${i}.10`;
    });
    expect(planReservedConcurrency(parseConfig(raw))).toMatchObject({ probes: 6, total: 55 });
  });
});
