import { findGroup, type Group } from '../../../functions/contract/config';
import { InvalidRequestError, UnknownGroupError } from '../../../functions/contract/errors';
import { DynamoDbGroupStateStore } from '../../../functions/aws/dynamodb-group-state';
import { activeHold, checkHoldRequest, type Hold, newHold } from '../../../functions/contract/hold';
import {
  type CliDeps,
  CliError,
  type CommonOptions,
  EXIT,
  readCallerArn,
  refuse,
  requireConfig,
  resolveGroupStateTable,
} from '../context';
import { duration } from '../format';

export interface HoldOptions extends CommonOptions {
  group: string;
  forSeconds: number;
  reason: string;
}

export interface UnholdOptions extends CommonOptions {
  group: string;
}

/**
 * `hold`: puts a group under a maintenance hold for a while. Automatic triggers (instance events, alarms,
 * probe requests, automatic failback) then end as a held no-op with a notification; manual requests run.
 * Stored in the group's item of the group-state table (an update of the `hold` attribute alone), with who
 * set it (STS GetCallerIdentity) and why; it ends by itself at its expiry.
 */
export const hold = async (opts: HoldOptions, deps: CliDeps): Promise<number> => {
  const group = configuredGroup(opts, opts.group);
  // A usage error (--for 9d, an empty reason) is refused before any AWS call, STS's included.
  const refused = (fn: () => Hold | string): Hold | string => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof InvalidRequestError) throw refuse(`${e.message}. Nothing was changed.`);
      throw e;
    }
  };
  refused(() => checkHoldRequest({ seconds: opts.forSeconds, reason: opts.reason }));
  const by = await readCallerArn(
    deps,
    'cannot tell who sets the hold (no STS client)',
    'A hold records who set it. Nothing was changed.',
  );
  const next = refused(() => newHold({ seconds: opts.forSeconds, by, reason: opts.reason, now: deps.now() })) as Hold;
  const store = await storeOf(opts, deps);
  const previous = activeHold(await stateCall(() => store.readHold(group.name), 'read the hold'), deps.now());
  await stateCall(() => store.setHold(group.name, next), 'store the hold');
  if (opts.json) {
    deps.out(JSON.stringify({ group: group.name, hold: next, replaced: previous ?? null }, null, 2));
    return EXIT.OK;
  }
  deps.out(
    `HELD ${group.name} until ${next.until} (${duration(opts.forSeconds * 1000)}), by ${next.by}: ${next.reason}`,
  );
  if (previous) deps.out(`  replaces the hold by ${previous.by} until ${previous.until}: ${previous.reason}`);
  deps.out(
    '  automatic triggers (instance events, alarms, probes, automatic failback) end as a held no-op, notified; ' +
      'manual switchover and failback still run',
  );
  deps.out(`  end it earlier: route-failover unhold --group ${group.name}`);
  return EXIT.OK;
};

/** `unhold`: ends a group's maintenance hold now (removes the attribute; nothing else of the group changes). */
export const unhold = async (opts: UnholdOptions, deps: CliDeps): Promise<number> => {
  const group = configuredGroup(opts, opts.group);
  const store = await storeOf(opts, deps);
  const removed = await stateCall(() => store.clearHold(group.name), 'remove the hold');
  const wasActive = activeHold(removed, deps.now()) !== undefined;
  if (opts.json) {
    deps.out(JSON.stringify({ group: group.name, removed: removed ?? null, wasActive }, null, 2));
    return EXIT.OK;
  }
  if (!removed) deps.out(`${group.name} was not held: nothing to end`);
  else if (!wasActive)
    deps.out(
      `${group.name}: removed a hold that had already expired ` +
        `at ${removed.until} (by ${removed.by}: ${removed.reason})`,
    );
  else
    deps.out(
      `UNHELD ${group.name}: the hold by ${removed.by} until ${removed.until} ` +
        `(${removed.reason}) is over; automatic failover is back on`,
    );
  return EXIT.OK;
};

const configuredGroup = (opts: CommonOptions, name: string): Group => {
  const config = requireConfig(opts);
  const group = findGroup(config, name);
  if (!group)
    throw refuse(
      new UnknownGroupError(
        name,
        config.groups.map((g) => g.name),
      ).message,
    );
  return group;
};

/** The group-state table as the workflow uses it (the product's own store, not a second copy of its layout). */
export const storeOf = async (opts: CommonOptions, deps: CliDeps): Promise<DynamoDbGroupStateStore> => {
  const table = await resolveGroupStateTable(opts, deps);
  if (!deps.ddb) throw refuse('no DynamoDB client');
  return new DynamoDbGroupStateStore(deps.ddb, table);
};

/** Runs a group-state call; its failure is one line naming what could not be done (exit 1). */
export const stateCall = async <T>(call: () => Promise<T>, what: string): Promise<T> => {
  try {
    return await call();
  } catch (e) {
    const err = e as Error;
    throw new CliError(`cannot ${what} in the group-state table: ${err.name}: ${err.message}`, EXIT.FAILED);
  }
};
