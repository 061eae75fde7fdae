import { DescribeRouteTablesCommand, type RouteTable } from '@aws-sdk/client-ec2';
import { errorText } from '../contract/aws-errors';
import type { Group } from '../contract/config';
import { parseInput } from '../contract/parse-input';
import { hasTwinTags, twinIdentity } from '../domain/twins';
import { TWIN_TRIGGER_EVENTS } from '../contract/route-table-events';
import * as z from '../contract/zod';
import { reconcileTwins, type ReconcileTwinsDeps, type ReconcileTwinsInput } from './reconcile-twins';
import type { ReconcileTwinsReport } from './report';

/**
 * What starts a twin reconcile: the stack's schedule, or an EventBridge rule on EC2's CloudTrail events that
 * change route tables (someone edited an original by hand: its twins must follow before the next failover).
 *
 * Convergence: the reconcile's own writes to twins are CloudTrail events too (CreateRouteTable names the VPC,
 * the others name the twin). Each resolves to the twin's original (or to the VPC's groups), whose twins that
 * pass has just made true, so the pass it starts finds no difference and writes nothing: one extra read-only
 * pass per write burst, never a loop.
 */

export const SCHEDULE_SOURCE = 'vpc-route-failover.twins';

const ScheduleEventSchema = z.lazy(() => z.object({ source: z.literal(SCHEDULE_SOURCE) }));

const CloudTrailEventSchema = z.lazy(() =>
  z.object({
    source: z.literal('aws.ec2'),
    'detail-type': z.literal('AWS API Call via CloudTrail'),
    detail: z.object({
      eventName: z.enum(TWIN_TRIGGER_EVENTS),
      // CloudTrail writes null for a call without parameters.
      requestParameters: z.optional(
        z.nullable(z.object({ routeTableId: z.optional(z.string()), vpcId: z.optional(z.string()) })),
      ),
    }),
  }),
);

const TwinsEventSchema = z.lazy(() => z.union([ScheduleEventSchema, CloudTrailEventSchema]));
export type TwinsEvent = z.infer<typeof TwinsEventSchema>;

/** What a trigger asks for, and why (for the report). */
export interface TwinsTrigger {
  trigger: string;
  input: ReconcileTwinsInput;
  why: string;
}

const inScope = (g: Group, t: RouteTable): boolean => {
  if (g.vpcId !== t.VpcId) return false;
  const s = g.routeTables;
  if (s === undefined) return true;
  if ('ids' in s) return s.ids.includes(t.RouteTableId!);
  return (t.Tags ?? []).some((x) => x.Key === s.tag.key && x.Value === s.tag.value);
};

/**
 * The groups (and originals) an event concerns: the group of a twin it names (that twin's original), the
 * groups whose scope holds the table it names, the groups of the VPC it names; every associations-mode group
 * when the table is gone or cannot be read.
 */
export const triggerOf = async (
  raw: unknown,
  deps: Pick<ReconcileTwinsDeps, 'ec2' | 'config'>,
): Promise<TwinsTrigger> => {
  const event = parseInput(TwinsEventSchema, raw, 'ReconcileTwins event');
  const all = deps.config.groups.filter((g) => g.switchMode === 'associations');
  const names = (gs: Group[]) => gs.map((g) => g.name);
  if (event.source === SCHEDULE_SOURCE)
    return { trigger: 'schedule', input: { groups: names(all) }, why: 'scheduled: every associations-mode group' };
  const { eventName, requestParameters } = event.detail;
  const trigger = `CloudTrail ${eventName}`;
  const id = requestParameters?.routeTableId;
  const vpcId = requestParameters?.vpcId;
  if (id) {
    let table: RouteTable | undefined;
    try {
      const out = await deps.ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: [id] }] }),
      );
      table = out.RouteTables?.[0];
    } catch (err) {
      return {
        trigger,
        input: { groups: names(all) },
        why: `${id} could not be read (${errorText(err)}): every associations-mode group`,
      };
    }
    if (!table)
      return {
        trigger,
        input: { groups: names(all) },
        why: `${id} is gone: every associations-mode group (its twins, or it as a twin)`,
      };
    const identity = twinIdentity(table);
    if (identity) {
      const g = all.find((x) => x.name === identity.group);
      return g
        ? {
            trigger,
            input: { groups: [g.name], routeTableIds: [identity.original] },
            why: `${id} is the twin of ${identity.original} for ${identity.member} in group ${g.name}`,
          }
        : {
            trigger,
            input: { groups: [] },
            why: `${id} is a twin of group "${identity.group}", which is not an associations-mode group here`,
          };
    }
    const claimed = all.filter((g) => inScope(g, table));
    if (hasTwinTags(table))
      return {
        trigger,
        input: { groups: names(all.filter((g) => g.vpcId === table.VpcId)) },
        why: `${id} has only some twin tags: the groups of ${table.VpcId} (it is reported, never written)`,
      };
    return claimed.length > 0
      ? {
          trigger,
          input: { groups: names(claimed), routeTableIds: [id] },
          why: `${id} is in the scope of ${names(claimed).join(', ')}`,
        }
      : { trigger, input: { groups: [] }, why: `${id} is in the scope of no associations-mode group` };
  }
  if (vpcId) {
    const inVpc = all.filter((g) => g.vpcId === vpcId);
    return { trigger, input: { groups: names(inVpc) }, why: `the groups of ${vpcId}` };
  }
  return { trigger, input: { groups: names(all) }, why: 'no route table named: every associations-mode group' };
};

/** Handles one schedule or CloudTrail event: reconciles what it concerns (nothing when no group is concerned). */
export const handleTwinsEvent = async (
  raw: unknown,
  deps: ReconcileTwinsDeps,
): Promise<{ trigger: string; why: string; report: ReconcileTwinsReport }> => {
  const t = await triggerOf(raw, deps);
  const report = await reconcileTwins(t.input, deps);
  return { trigger: t.trigger, why: t.why, report };
};
