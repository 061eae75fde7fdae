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
  /** Other groups (router pairs with tables of their own, tag-scoped) whose active member fails at the same time. */
  otherGroups: number;
}

/**
 * Member indexes and slots are drawn up to the largest estate (3 members, 3 slots) and folded into the case's
 * own by `foldEstate`: no arbitrary depends on another (no `chain`), so fast-check shrinks every part of a case
 * on its own (tables and routes go away one by one, members and slots drop to the fewest).
 */
const ACTIVE = -1;
const anyMember = fc.nat(2);
const anySlot = fc.nat(2);

const memberTarget: fc.Arbitrary<TargetSpec> = fc.oneof(
  // Mostly the active member: the routes a switch moves (ACTIVE is folded into the active member's index).
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('member' as const), member: fc.constant(ACTIVE), slot: anySlot }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('member' as const), member: anyMember, slot: anySlot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('member-instance' as const), member: fc.constant(ACTIVE) }) },
);

const targetArb: fc.Arbitrary<TargetSpec> = fc.oneof(
  { weight: 6, arbitrary: memberTarget },
  { weight: 1, arbitrary: fc.constant({ kind: 'appliance' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'gateway' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'foreign-blackhole' as const }) },
);

const routeArb: fc.Arbitrary<RouteGenSpec> = fc.record({
  dest: fc.constantFrom('ipv4' as const, 'ipv4' as const, 'ipv6' as const, 'prefix-list' as const),
  target: targetArb,
  propagatedTwin: fc.constantFrom(false, false, false, false, false, false, true),
});

export type Size = 'xsmall' | 'small' | 'medium' | 'large' | 'xlarge';

const tableArb = (maxRoutes: number, size?: Size): fc.Arbitrary<TableSpec> =>
  fc.record(
    {
      inScope: fc.boolean(),
      subnets: fc.nat(2),
      gateway: fc.constantFrom(false, false, false, false, false, true),
      localOn: fc.option(fc.record({ member: fc.constant(ACTIVE), slot: anySlot }), { freq: 8, nil: undefined }),
      routes: fc.array(routeArb, { minLength: 0, maxLength: maxRoutes, ...(size ? { size } : {}) }),
    },
    { requiredKeys: ['inScope', 'subnets', 'gateway', 'routes'] },
  );

/**
 * Sizes: `maxTables` up to 60 (the bound), `maxRoutes` per table, `size` how far towards them (fast-check's).
 * Indexes still unfolded (see foldEstate).
 */
export const estateArb = (
  opts: { maxTables?: number; maxRoutes?: number; size?: Size } = {},
): fc.Arbitrary<EstateSpec> =>
  fc.record({
    members: fc.integer({ min: 2, max: 3 }),
    slots: fc.integer({ min: 1, max: 3 }),
    active: fc.nat(1),
    mode: fc.constantFrom('routes' as const, 'routes' as const, 'associations' as const),
    scope: fc.constantFrom('vpc' as const, 'tag' as const, 'ids' as const),
    mainOnFirst: fc.boolean(),
    // Mostly small estates (cheap cases); now and then a wide one.
    tables: fc.array(tableArb(opts.maxRoutes ?? 8, opts.size), {
      minLength: 1,
      maxLength: opts.maxTables ?? 60,
      size: opts.size ?? 'xsmall',
    }),
    strayTwin: fc.constantFrom(false, false, false, true),
    priority: fc.boolean(),
    hold: fc.constantFrom(false, false, false, false, false, false, false, true),
    otherGroups: fc.constantFrom(0, 0, 0, 0, 0, 1, 2),
  });

/** Folds drawn member indexes and slots into the estate's own members and slots; ACTIVE becomes the active member. */
export const foldEstate = (e: EstateSpec): EstateSpec => {
  const member = (i: number) => (i === ACTIVE ? e.active : i % e.members);
  const slot = (i: number) => i % e.slots;
  const target = (t: TargetSpec): TargetSpec =>
    t.kind === 'member'
      ? { ...t, member: member(t.member), slot: slot(t.slot) }
      : t.kind === 'member-instance'
        ? { ...t, member: member(t.member) }
        : t;
  return {
    ...e,
    tables: e.tables.map((t) => ({
      ...t,
      ...(t.localOn ? { localOn: { member: member(t.localOn.member), slot: slot(t.localOn.slot) } } : {}),
      routes: t.routes.map((r) => ({ ...r, target: target(r.target) })),
    })),
  };
};
