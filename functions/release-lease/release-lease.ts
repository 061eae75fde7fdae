import { effectiveTriggerTime } from '../domain/trigger-time';
import type { GroupStateStore, SwitchRecord } from '../domain/group-state';
import * as z from '../contract/zod';

export const ReleaseLeaseInputSchema = z.lazy(() =>
  z.object({
    executionId: z.string(),
    /**
     * The audit record (Notify's output), or the state before Notify when no record could be built; read
     * loosely: only what the group's history needs.
     */
    record: z.looseObject({
      outcome: z._default(z.string(), 'failed'),
      group: z.optional(z.union([z.string(), z.looseObject({ name: z.string() })])),
      lease: z.optional(z.looseObject({ group: z.optional(z.string()) })),
      counts: z.optional(z.looseObject({ replaced: z.number() })),
      trigger: z.optional(
        z.looseObject({ kind: z.string(), eventId: z.optional(z.string()), eventTime: z.optional(z.string()) }),
      ),
      to: z.optional(z.looseObject({ name: z.string() })),
      from: z.optional(z.array(z.looseObject({ name: z.string() }))),
      execution: z.optional(z.looseObject({ name: z.optional(z.string()), startTime: z.optional(z.string()) })),
      finishedAt: z.optional(z.string()),
    }),
  }),
);
export type ReleaseLeaseInput = z.infer<typeof ReleaseLeaseInputSchema>;

export interface ReleaseLeaseDeps {
  store: GroupStateStore;
  now?: () => Date;
}

/** Automatic switches are remembered this long at most (the largest damping window the config allows). */
const HISTORY_SECONDS = 86400;

/**
 * Gives the group's lease back and, when routes moved, records the switch (when, by which trigger) so that a
 * stale event cannot undo it and flap damping can count it. Idempotent; a no-op without a lease.
 */
export const releaseLease = async (
  input: ReleaseLeaseInput,
  deps: ReleaseLeaseDeps,
): Promise<{ released: boolean; recorded: boolean }> => {
  const now = deps.now ?? (() => new Date());
  const r = input.record;
  const group = r.lease?.group ?? (typeof r.group === 'string' ? r.group : r.group?.name);
  if (!group) return { released: false, recorded: false };
  const moved = (r.counts?.replaced ?? 0) > 0 && (r.outcome === 'succeeded' || r.outcome === 'partial');
  const at = r.finishedAt ?? now().toISOString();
  const switched: SwitchRecord | undefined = moved
    ? {
        at,
        // The event's own time is a claim: stored never later than this execution's start (plus skew).
        triggerTime: effectiveTriggerTime(r.trigger?.eventTime, r.execution?.startTime) ?? r.execution?.startTime ?? at,
        executionId: input.executionId,
        automatic: r.trigger !== undefined && r.trigger.kind !== 'manual',
        triggerId: r.trigger?.eventId ?? r.execution?.name ?? input.executionId,
        to: r.to?.name,
        from: r.from?.map((m) => m.name),
      }
    : undefined;
  const { released } = await deps.store.release(
    group,
    input.executionId,
    switched,
    new Date(now().getTime() - HISTORY_SECONDS * 1000),
  );
  return { released, recorded: released && switched !== undefined };
};
