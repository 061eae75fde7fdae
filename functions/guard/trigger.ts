import { DescribeRouteTablesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { errorText } from '../contract/aws-errors';
import type { FailoverConfig } from '../contract/config';
import { parseInput } from '../contract/parse-input';
import * as z from '../contract/zod';
import { TWIN_TRIGGER_EVENTS } from '../contract/route-table-events';
import type { ChangeClaim } from './guard-pass';

/**
 * What starts a guard pass: the stack's schedule, or an EventBridge rule on EC2's CloudTrail management events
 * that change routes, route tables or associations (the same calls as the twin reconcile's rule). An event is
 * only a hint of where to look and who to name: the pass judges what a fresh read shows, never the event.
 */

export const GUARD_SCHEDULE_SOURCE = 'vpc-route-failover.guard';

/** The EC2 calls whose CloudTrail events start a pass: every call that changes a route, a table or an association. */
export const GUARD_TRIGGER_EVENTS = TWIN_TRIGGER_EVENTS;

const ScheduleEventSchema = z.lazy(() => z.object({ source: z.literal(GUARD_SCHEDULE_SOURCE) }));

const CloudTrailEventSchema = z.lazy(() =>
  z.object({
    source: z.literal('aws.ec2'),
    'detail-type': z.literal('AWS API Call via CloudTrail'),
    id: z.optional(z.string()),
    detail: z.object({
      eventName: z.enum(GUARD_TRIGGER_EVENTS),
      eventTime: z.optional(z.string()),
      eventID: z.optional(z.string()),
      userIdentity: z.optional(
        z.object({
          type: z.optional(z.string()),
          arn: z.optional(z.string()),
          principalId: z.optional(z.string()),
          invokedBy: z.optional(z.string()),
        }),
      ),
      // CloudTrail writes null for a call without parameters.
      requestParameters: z.optional(
        z.nullable(
          z.object({
            routeTableId: z.optional(z.string()),
            vpcId: z.optional(z.string()),
            destinationCidrBlock: z.optional(z.string()),
            destinationIpv6CidrBlock: z.optional(z.string()),
            destinationPrefixListId: z.optional(z.string()),
          }),
        ),
      ),
      responseElements: z.optional(
        z.nullable(z.object({ routeTable: z.optional(z.object({ routeTableId: z.optional(z.string()) })) })),
      ),
    }),
  }),
);

const GuardEventSchema = z.lazy(() => z.union([ScheduleEventSchema, CloudTrailEventSchema]));

export interface GuardTrigger {
  trigger: string;
  /** The groups to pass over. */
  groups: string[];
  why: string;
  /** What the event says was changed, and by whom (attached to the findings it explains). */
  claim?: ChangeClaim;
}

/**
 * The groups an event concerns and what it claims: the groups of the VPC the call names, or of the VPC of the
 * table it names (one DescribeRouteTables); every group when neither can be told (a disassociation names only
 * its association; a table already deleted cannot be read).
 */
export const guardTriggerOf = async (
  raw: unknown,
  deps: { ec2: EC2Client; config: FailoverConfig },
): Promise<GuardTrigger> => {
  const event = parseInput(GuardEventSchema, raw, 'Guard event');
  const all = deps.config.groups.map((g) => g.name);
  if (event.source === GUARD_SCHEDULE_SOURCE)
    return { trigger: 'schedule', groups: all, why: 'scheduled: every group' };
  const d = event.detail;
  const p = d.requestParameters ?? undefined;
  const routeTableId = p?.routeTableId ?? d.responseElements?.routeTable?.routeTableId;
  const claim: ChangeClaim = {
    ...(routeTableId ? { routeTableId } : {}),
    ...((p?.destinationCidrBlock ?? p?.destinationIpv6CidrBlock ?? p?.destinationPrefixListId)
      ? { destination: p?.destinationCidrBlock ?? p?.destinationIpv6CidrBlock ?? p?.destinationPrefixListId }
      : {}),
    cause: {
      who:
        d.userIdentity?.arn ??
        d.userIdentity?.invokedBy ??
        d.userIdentity?.principalId ??
        d.userIdentity?.type ??
        'unknown',
      when: d.eventTime ?? new Date().toISOString(),
      call: d.eventName,
      ...(d.eventID ? { eventId: d.eventID } : {}),
    },
  };
  const trigger = `CloudTrail ${d.eventName}`;
  const inVpc = (vpcId: string) => deps.config.groups.filter((g) => g.vpcId === vpcId).map((g) => g.name);
  if (p?.vpcId) return { trigger, groups: inVpc(p.vpcId), why: `the groups of ${p.vpcId}`, claim };
  if (routeTableId) {
    try {
      const out = await deps.ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: [routeTableId] }] }),
      );
      const vpcId = out.RouteTables?.[0]?.VpcId;
      if (vpcId) return { trigger, groups: inVpc(vpcId), why: `${routeTableId} is in ${vpcId}`, claim };
      return { trigger, groups: all, why: `${routeTableId} is gone: every group`, claim };
    } catch (err) {
      return { trigger, groups: all, why: `${routeTableId} could not be read (${errorText(err)}): every group`, claim };
    }
  }
  return { trigger, groups: all, why: 'no route table or VPC named: every group', claim };
};
