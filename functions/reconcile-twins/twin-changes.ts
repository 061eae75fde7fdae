/** The changes a twin reconcile writes to a twin, and how its report lists them (bounded, counts whole). */
import type { RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations } from '../domain/associations';
import {
  type ContentChanges,
  contentChanges,
  contentsOf,
  type LiveTwinDrift,
  liveTwinDrift,
  type StaticRoute,
} from '../domain/twins';
import type { GroupPlan, TwinPlan } from './plan-twins';

/** At most this many routes listed per kind of change (the counts are always whole). */
export const CHANGE_LIST_MAX = 25;

export interface TwinChanges {
  counts: { added: number; replaced: number; removed: number; propagation: number };
  /** "destination → target" of each route created, at most CHANGE_LIST_MAX. */
  added: string[];
  replaced: string[];
  /** "destination → target" of each route deleted from the twin. */
  removed: string[];
  /** "enable vgw-…" / "disable vgw-…". */
  propagation: string[];
}

/** A twin that carries traffic: its associations, and how it differs from its original (at most CHANGE_LIST_MAX). */
export interface TwinInUse {
  associations: number;
  drift: LiveTwinDrift[];
  /** Differences beyond CHANGE_LIST_MAX, counted only. */
  omitted: number;
}

const NO_CHANGES: ContentChanges = { add: [], replace: [], remove: [], enable: [], disable: [], locals: [] };

/**
 * What a pass writes to a twin (when it is to be created: everything is added). A twin with live associations
 * is what its subnets route by: it gets no write at all (no CreateRoute, ReplaceRoute or DeleteRoute: a route an
 * operator added there after a failover is live traffic), and its differences are reported as drift instead.
 */
export const twinChanges = (
  plan: GroupPlan,
  member: string,
  wanted: TwinPlan['wanted'],
  table: RouteTable | undefined,
): { changes: ContentChanges; inUse?: TwinInUse } => {
  const actual = table ? contentsOf(table) : { routes: new Map(), vgws: [] };
  const changes = contentChanges(wanted, actual);
  const associations = table ? liveAssociations(table).length : 0;
  if (!table || associations === 0) return { changes };
  const others = new Set(
    plan.members.filter((m) => m.member !== member).flatMap((m) => m.interfaces.map((i) => i.eni)),
  );
  const drift = liveTwinDrift(table.RouteTableId!, changes, actual, others);
  return {
    changes: NO_CHANGES,
    inUse: {
      associations,
      drift: drift.slice(0, CHANGE_LIST_MAX),
      omitted: Math.max(0, drift.length - CHANGE_LIST_MAX),
    },
  };
};

const routeText = (r: StaticRoute): string => `${r.destination.value} → ${r.target.id}`;

const capped = (items: string[]): string[] =>
  items.length <= CHANGE_LIST_MAX
    ? items
    : [...items.slice(0, CHANGE_LIST_MAX), `and ${items.length - CHANGE_LIST_MAX} more`];

/** A change set as the report shows it. */
export const describeChanges = (c: ContentChanges): TwinChanges => ({
  counts: {
    added: c.add.length,
    replaced: c.replace.length + (c.locals?.length ?? 0),
    removed: c.remove.length,
    propagation: c.enable.length + c.disable.length,
  },
  added: capped(c.add.map(routeText)),
  replaced: capped([
    ...c.replace.map(routeText),
    ...(c.locals ?? []).map((l) => `${l.destination.value} → ${l.target?.id ?? 'local'} (local route)`),
  ]),
  removed: capped(c.remove.map(routeText)),
  propagation: [...c.enable.map((g) => `enable ${g}`), ...c.disable.map((g) => `disable ${g}`)],
});
