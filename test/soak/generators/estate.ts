import fc from 'fast-check';

/**
 * Estates as plain data (what `materialize` builds on a SimulatedVpc): members, interface slots, route tables
 * with routes of every kind, associations, twins, the group's scope and switch mode, priority routes, a hold.
 * Plain data shrinks well and prints as the minimal case of a counterexample.
 */

/** Where a route leads: a member's interface slot, or something that is never the group's. */
export type TargetSpec =
  | { kind: 'member'; member: number; slot: number }
  /** The member's instance ID (EC2 resolves it to eth0 and shows InstanceId on the route). */
  | { kind: 'member-instance'; member: number }
  | { kind: 'appliance' }
  | { kind: 'gateway' }
  /** An interface that is not a member's and was deleted: a blackhole that is not ours. */
  | { kind: 'foreign-blackhole' };

export interface RouteGenSpec {
  /** Destination kind; the value is derived from the route's position in its table, so none repeat. */
  dest: 'ipv4' | 'ipv6' | 'prefix-list';
  target: TargetSpec;
  /** A propagated route (a VGW's) beside the static one, same prefix (IPv4 only). */
  propagatedTwin: boolean;
}

export interface TableSpec {
  /** In the group's tag or ids scope (table 0 always is). */
  inScope: boolean;
  /** Subnets explicitly associated with the table. */
  subnets: number;
  /** The table is a gateway's ingress table (an edge association). */
  gateway: boolean;
  /** The VPC CIDR's local route replaced onto this member slot (east-west inspection). */
  localOn?: { member: number; slot: number };
  routes: RouteGenSpec[];
}

export interface EstateSpec {
  members: number;
  slots: number;
  /** The member the group's routes lead to before the run (the preferred member is always member 0). */
  active: number;
  mode: 'routes' | 'associations';
  scope: 'vpc' | 'tag' | 'ids';
  /** Table 0 is the VPC's main table. */
  mainOnFirst: boolean;
  tables: TableSpec[];
  /** The routes mode: a twin of table 0 for the standby that a subnet still uses. */
  strayTwin: boolean;
  /** Priority routes: the first route of table 0 by destination. */
  priority: boolean;
  hold: boolean;
}

const memberTarget = (members: number, slots: number, active: number): fc.Arbitrary<TargetSpec> =>
  fc.oneof(
    // Mostly the active member: the routes a switch moves.
    { weight: 6, arbitrary: fc.nat(slots - 1).map((slot) => ({ kind: 'member' as const, member: active, slot })) },
    { weight: 1, arbitrary: fc.record({ member: fc.nat(members - 1), slot: fc.nat(slots - 1) }).map((t) => ({ kind: 'member' as const, ...t })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'member-instance' as const, member: active }) },
  );

const targetArb = (members: number, slots: number, active: number): fc.Arbitrary<TargetSpec> =>
  fc.oneof(
    { weight: 6, arbitrary: memberTarget(members, slots, active) },
    { weight: 1, arbitrary: fc.constant({ kind: 'appliance' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'gateway' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'foreign-blackhole' as const }) },
  );

const routeArb = (members: number, slots: number, active: number): fc.Arbitrary<RouteGenSpec> =>
  fc.record({
    dest: fc.constantFrom('ipv4' as const, 'ipv4' as const, 'ipv6' as const, 'prefix-list' as const),
    target: targetArb(members, slots, active),
    propagatedTwin: fc.constantFrom(false, false, false, false, false, false, true),
  });

const tableArb = (members: number, slots: number, active: number, maxRoutes: number): fc.Arbitrary<TableSpec> =>
  fc.record({
    inScope: fc.boolean(),
    subnets: fc.nat(2),
    gateway: fc.constantFrom(false, false, false, false, false, true),
    localOn: fc.option(fc.record({ member: fc.constant(active), slot: fc.nat(slots - 1) }), { freq: 8, nil: undefined }),
    routes: fc.array(routeArb(members, slots, active), { minLength: 0, maxLength: maxRoutes }),
  });

/** Sizes: `maxTables` up to 60 (the bound), `maxRoutes` per table. */
export const estateArb = (opts: { maxTables?: number; maxRoutes?: number } = {}): fc.Arbitrary<EstateSpec> =>
  fc
    .record({ members: fc.integer({ min: 2, max: 3 }), slots: fc.integer({ min: 1, max: 3 }), activeFirst: fc.boolean() })
    .chain(({ members, slots, activeFirst }) => {
      const active = activeFirst ? 0 : 1;
      return fc.record({
        members: fc.constant(members),
        slots: fc.constant(slots),
        active: fc.constant(active),
        mode: fc.constantFrom('routes' as const, 'routes' as const, 'associations' as const),
        scope: fc.constantFrom('vpc' as const, 'tag' as const, 'ids' as const),
        mainOnFirst: fc.boolean(),
        tables: fc.array(tableArb(members, slots, active, opts.maxRoutes ?? 8), {
          minLength: 1,
          // Mostly small estates (cheap cases); now and then a wide one.
          maxLength: opts.maxTables ?? 60,
          size: 'xsmall',
        }),
        strayTwin: fc.constantFrom(false, false, false, true),
        priority: fc.boolean(),
        hold: fc.constantFrom(false, false, false, true),
      });
    });
