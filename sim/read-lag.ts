/**
 * Reads that lag writes. EC2 Developer Guide, "Eventual consistency in the Amazon EC2 API": "the result of an
 * API command you run that affects your Amazon EC2 resources might not be immediately visible to all
 * subsequent commands you run". Opt-in (SimulatedVpcOptions.readLagMs): after a ReplaceRoute, CreateRoute,
 * DeleteRoute or ReplaceRouteTableAssociation, DescribeRouteTables shows that route (or that association) as it
 * was before the write, for a time drawn from the simulator's seeded PRNG, at most `max` ms, on its clock.
 *
 * The write itself acts on the true state at once (a second write sees the first, and `sim.routeTables()`
 * shows the truth); only the API read lags. Several writes to one route or association within one window show
 * the state before the first of them until the last window ends. Not modelled: lag of other reads
 * (DescribeInstances, DescribeNetworkInterfaces) and other writes (tables, tags, propagation), and a read that
 * sees a write and then, from another replica, not again: after its window every read shows it.
 */
import { findStaticRoute } from './route-tables';
import type { ReadLagView, SimState } from './state';
import { destinationOf, sameDestination } from './ids';
import type { AssociationRecord, CommandInput, RouteDestination, RouteRecord, RouteTableRecord } from './types';

export interface ReadLagOptions {
  /** The longest time, in ms, a read may still show a route or association as it was before a write. */
  max: number;
}

interface StaleRoute {
  tableId: string;
  destination: RouteDestination;
  /** The route before the write; undefined when the write created it. */
  before?: RouteRecord;
  until: number;
}

interface StaleAssociation {
  before: AssociationRecord;
  /** The association ID the write made (ReplaceRouteTableAssociation answers a new one). */
  after: string;
  until: number;
}

const ROUTE_WRITES = new Set(['ReplaceRoute', 'CreateRoute', 'DeleteRoute']);

/** What an association associates (a subnet, a gateway, a VPC's main association): the same across its replacements. */
const subjectOf = (s: SimState, a: AssociationRecord): string =>
  a.kind === 'subnet' ? a.subnetId : a.kind === 'gateway' ? a.gatewayId : `main|${s.tables.get(a.routeTableId)?.vpcId}`;

/** The windows of writes not yet visible to reads, and the view of a table a read gets meanwhile. */
export class ReadLag implements ReadLagView {
  private readonly routes = new Map<string, StaleRoute>();
  private readonly associations = new Map<string, StaleAssociation>();

  constructor(
    private readonly opts: ReadLagOptions,
    private readonly now: () => number,
    private readonly rand: () => number,
  ) {
    if (!Number.isFinite(opts.max) || opts.max < 0)
      throw new Error(`readLagMs.max must be a number of ms >= 0, got ${opts.max}`);
  }

  /**
   * Called before a write runs; returns what to record once it has taken effect (nothing is recorded for a
   * write that fails, a DryRun included), or undefined for an action whose reads do not lag.
   */
  beforeWrite(s: SimState, action: string, input: CommandInput): ((output: object) => void) | undefined {
    if (ROUTE_WRITES.has(action)) {
      const table = s.tables.get(String(input.RouteTableId));
      let destination: RouteDestination;
      try {
        destination = destinationOf(input);
      } catch {
        return undefined; // the write fails on it too
      }
      if (!table) return undefined;
      const found = findStaticRoute(table, destination);
      const before = found && structuredClone(found);
      return () => this.staleRoute(table.routeTableId, destination, before);
    }
    if (action === 'ReplaceRouteTableAssociation') {
      const old = s.associations.get(String(input.AssociationId));
      const before = old && { ...old };
      const subject = old && subjectOf(s, old);
      return (output) => {
        const after = (output as { NewAssociationId?: string }).NewAssociationId;
        if (before && subject && after) this.staleAssociation(subject, before, after);
      };
    }
    return undefined;
  }

  /** A table as a read sees it now: routes written within their window shown as they were before. */
  tableView(t: RouteTableRecord): RouteTableRecord {
    const now = this.now();
    const stale = [...this.routes.values()].filter((e) => e.tableId === t.routeTableId && e.until > now);
    if (stale.length === 0) return t;
    const routes = [...t.routes];
    for (const e of stale) {
      const i = routes.findIndex(
        (r) => r.origin !== 'EnableVgwRoutePropagation' && sameDestination(r.destination, e.destination),
      );
      if (e.before && i >= 0) routes[i] = e.before;
      else if (e.before) routes.push(e.before);
      else if (i >= 0) routes.splice(i, 1);
    }
    return { ...t, routes };
  }

  /**
   * The associations of a table as a read sees them now: one replaced within its window still on its old
   * table, under its old ID.
   */
  associationsView(s: SimState): (routeTableId: string) => AssociationRecord[] {
    const now = this.now();
    const stale = [...this.associations.values()].filter((e) => e.until > now);
    const hidden = new Set(stale.map((e) => e.after));
    const all = [
      ...[...s.associations.values()].filter((a) => !hidden.has(a.associationId)),
      ...stale.map((e) => e.before),
    ];
    return (routeTableId) => all.filter((a) => a.routeTableId === routeTableId);
  }

  /** A window length: uniform in [0, max] ms from the simulator's seeded stream, so a seed replays the same lags. */
  private window(): number {
    return this.now() + Math.floor(this.rand() * (this.opts.max + 1));
  }

  private staleRoute(tableId: string, destination: RouteDestination, before: RouteRecord | undefined): void {
    this.prune();
    const key = `${tableId}|${destination.kind}|${destination.value}`;
    const until = this.window();
    const open = this.routes.get(key);
    // Within an open window reads still show the state before its first write.
    this.routes.set(
      key,
      open ? { ...open, until: Math.max(open.until, until) } : { tableId, destination, before, until },
    );
  }

  private staleAssociation(key: string, before: AssociationRecord, after: string): void {
    this.prune();
    const until = this.window();
    const open = this.associations.get(key);
    this.associations.set(
      key,
      open ? { before: open.before, after, until: Math.max(open.until, until) } : { before, after, until },
    );
  }

  /** Forgets windows that have ended (memory stays bounded by the writes of the last `max` ms). */
  private prune(): void {
    const now = this.now();
    for (const [k, e] of this.routes) if (e.until <= now) this.routes.delete(k);
    for (const [k, e] of this.associations) if (e.until <= now) this.associations.delete(k);
  }
}
