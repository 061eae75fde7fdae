import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { WARM_UP_EVENT } from '../../functions/contract/warm-up';

/**
 * Keeps the functions a failover runs first (AcquireLease, ResolveTargets, FirstWrite) warm: an EventBridge
 * schedule invokes each once a minute with the warm-up event, which the handlers answer at once
 * (functions/shared/warm-up.ts). Lambda keeps an environment it has used for a while (AWS: "a non-deterministic
 * period"), so the first Task states of a probe-started failover do not wait for cold starts. Built only when a
 * group has a probe: without one, detection takes minutes and a cold start does not matter. Cost: 3 × 43,200
 * requests a month, about 0.03 USD, and a few milliseconds of each (docs/detection.md, "The first write").
 */
export const addCriticalPathWarmUp = (scope: Construct, functions: Record<string, IFunction>): Rule =>
  new Rule(scope, 'WarmUp', {
    description: `vpc-route-failover: keep ${Object.keys(functions).join(', ')} warm (one warm-up invocation a minute)`,
    schedule: Schedule.rate(Duration.minutes(1)),
    targets: Object.values(functions).map(
      (fn) =>
        new LambdaFunction(fn, {
          event: RuleTargetInput.fromObject(WARM_UP_EVENT),
          retryAttempts: 0,
          maxEventAge: Duration.seconds(60),
        }),
    ),
  });
