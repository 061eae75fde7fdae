import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CURRENT_VERSION_EXPIRED_FLAGS, FLAGS } from 'aws-cdk-lib/cx-api';
import { PROJECT_ROOT } from './synth';

/**
 * cdk.json states every feature flag of the installed aws-cdk-lib, so `cdk synth` prints no "N feature flags
 * are not configured" notice. The flags this project had not chosen are pinned to the value they had when
 * unset (what `cdk flags --set --unconfigured --default` proposes, and `cdk diff` showed no change), so
 * stating them changed nothing in the template; moving one to its recommended value is a decision of its own.
 */
describe('feature flags in cdk.json', () => {
  const context = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Record<
    string,
    unknown
  >;
  const expired = new Set<string>(CURRENT_VERSION_EXPIRED_FLAGS);
  const current = Object.entries(FLAGS).filter(([name]) => !expired.has(name));

  it('states every current flag of aws-cdk-lib', () => {
    expect(current.map(([name]) => name).filter((name) => !(name in context))).toEqual([]);
  });

  it('sets each to its recommended value or to how it behaves unset, nothing else', () => {
    // A flag with no unconfiguredBehavesLike behaves as false when unset (aws-cdk-lib's FeatureFlags).
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const other = current.filter(
      ([name, flag]) =>
        !same(context[name], flag.recommendedValue) && !same(context[name], flag.unconfiguredBehavesLike?.v2 ?? false),
    );
    expect(other.map(([name]) => `${name}=${JSON.stringify(context[name])}`)).toEqual([]);
  });

  it('holds no failover config: the app is given one explicitly', () => {
    expect(context.failover).toBeUndefined();
  });
});
