/** The stack-wide sections of the config: reserved concurrency and the route guard. */
import * as z from './zod';

/**
 * Reserved concurrency of the failover path's Lambda functions (read by infra only). Reserving capacity keeps a
 * failover from being throttled when other functions of the account use up its concurrency. SwitchItems gets
 * the sum over groups of maxConcurrency (the Map's MaxConcurrency in one execution) times
 * simultaneousExecutions, plus headroom; every other Task function gets otherTasks. Only when this section is
 * present: a reservation any account can deploy is none (a new account's quota can be 10, all of it kept
 * unreserved), and the account's quota is never assumed, so `accountConcurrency` is required with it.
 */
export const ReservedConcurrencySchema = z.lazy(() =>
  z
    .strictObject({
      enabled: z
        ._default(z.boolean(), true)
        .check(z.describe('Reserve concurrency for the Task functions; `false` turns the Task reservations off.')),
      /**
       * Executions of one group that may replace routes at the same time. The lease lets one through; more only
       * when a lease is taken over from an execution that is still running its last batch.
       */
      simultaneousExecutions: z
        ._default(z.int().check(z.gte(1), z.lte(10)), 1)
        .check(
          z.describe('Executions of one group that may replace routes at the same time (the lease lets one through).'),
        ),
      /** Added to SwitchItems' reservation (retries of a batch can overlap the batch's last seconds). */
      headroom: z
        ._default(z.int().check(z.gte(0), z.lte(200)), 2)
        .check(z.describe('Added to the reservations (retries of a batch can overlap its last seconds).')),
      /**
       * Each other Task function's reservation. Absent: 4 per group plus headroom, because one router failure can
       * start up to four executions of its group (EC2 stopping, stopped, the status-check alarm, the probe), and
       * every one of them calls AcquireLease.
       */
      otherTasks: z
        .optional(z.int().check(z.gte(1), z.lte(500)))
        .check(
          z.describe(
            "Each other Task function's reservation. Absent: 4 per group " +
              'plus headroom (one router failure can start four executions).',
          ),
        ),
      /**
       * The account's concurrent executions quota in the region (Service Quotas, "Concurrent executions"; 1000 on
       * an established account, as low as 10 on a new one). Lambda keeps 100 of it unreserved, so the stack's
       * reservations must fit in the rest. Required when reserving: synth cannot ask the account.
       */
      accountConcurrency: z
        .optional(z.int().check(z.gte(10)))
        .check(
          z.describe(
            'The account\'s Lambda "Concurrent executions" quota in the stack\'s region (Service Quotas). Required ' +
              'when reserving: synth never assumes it. Lambda keeps 100 unreserved.',
          ),
        ),
    })
    .check(
      z.superRefine((r, ctx) => {
        if (r.enabled && r.accountConcurrency === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['accountConcurrency'],
            message:
              "required when reserving concurrency: the account's " +
              'Lambda "Concurrent executions" quota in the region ' +
              '(Service Quotas → AWS Lambda), e.g. 1000; or "enabled": false',
          });
        }
      }),
    ),
);

/**
 * The route guard: a pass on this schedule (and after each route-table API call CloudTrail reports) reports
 * routes that break the route-table invariant between failovers. `converge` starts a switchover to the active
 * member once findings have stood for `graceSeconds` (off by default: the guard itself never writes a route).
 */
export const GuardSchema = z.lazy(() =>
  z.strictObject({
    intervalMinutes: z
      ._default(z.int().check(z.gte(1), z.lte(60)), 1)
      .check(
        z.describe(
          'Minutes between scheduled guard passes (a pass also follows each route-table API call CloudTrail reports).',
        ),
      ),
    converge: z
      ._default(z.boolean(), false)
      .check(
        z.describe(
          'Start a switchover to the active member once findings a switchover fixes have stood for graceSeconds.',
        ),
      ),
    // At least a minute: a route an operator is fixing by hand, or a failover that is running, must not be raced.
    graceSeconds: z
      ._default(z.int().check(z.gte(60), z.lte(86400)), 300)
      .check(z.describe('How long findings must stand before convergence starts a switchover.')),
  }),
);
export type GuardConfig = z.infer<typeof GuardSchema>;
