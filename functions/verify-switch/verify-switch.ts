import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import { readGroupTables } from '../aws/group-tables';
import { isPropagated, routeDestination, routeKey } from '../domain/routes';
import {
  checkInvariant,
  describeCheck,
  problemText,
  reachOf,
  type InvariantResult,
  type KnownMember,
} from '../domain/invariant';
import {
  EFFECTIVE_LISTED,
  type ObservedRoute,
  PROBLEMS_LISTED,
  UNKNOWN_BLACKHOLES_LISTED,
  type Verification,
} from '../contract/schemas';
import { verifyAddresses } from './addresses-check';
import { knownMembers } from './known-members';
import { associationsVerifier, type Expectation, type ReadBack, routesVerifier } from './verifiers';
import type { VerifyInput } from './verify-input';

export { type VerifyInput, VerifyInputSchema } from './verify-input';

export interface VerifySwitchDeps {
  ec2: EC2Client;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Delays before each re-read while replaced routes do not read back yet (EC2 is eventually consistent). */
  recheckDelaysMs?: number[];
}

const DEFAULT_RECHECK_DELAYS_MS = [1000, 2000, 4000];

/**
 * Reads the group's route tables back and judges them by what they say, never by the plan. Two checks on each
 * fresh read: each planned route is where its result says (a replaced or already-moved route on its new
 * interface and not blackhole; a dry-run route unchanged; a vanished route still absent), and THE ROUTE-TABLE
 * INVARIANT (shared/invariant.ts) over every table the group reaches: no route, planned or not, local or not,
 * leads to a member the routes left (by interface or by the instance EC2 shows behind it), none is blackhole
 * on a member's interface. A failover can never read as done while a route still leads to the failed router.
 * Mismatches on just-replaced routes are re-read a bounded number of times. Only the problems are listed
 * (the state stays small at thousands of routes); every route not listed is verified.
 */
export const verifySwitch = async (input: VerifyInput, deps: VerifySwitchDeps): Promise<Verification> => {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const delays = deps.recheckDelaysMs ?? DEFAULT_RECHECK_DELAYS_MS;
  const expectations = routesVerifier.expect(input);
  const targetEnis = new Set(input.targetEnis);

  const associations = input.group.switchMode === 'associations';
  const moves = associationsVerifier.expect(input);
  const members = knownMembers(input);
  const departed = input.sources.map((s) => s.name);

  let rounds = 0;
  let observed: Array<ObservedRoute & { settling: boolean }> = [];
  let effective: ReturnType<typeof associationsVerifier.verifyOne>[] = [];
  let truth: Truth = {
    problems: [],
    unplanned: 0,
    warnings: [],
    result: { findings: [], routes: 0, tables: 0, split: 0 },
  };
  for (;;) {
    rounds++;
    const read = await readGroupTables(deps.ec2, input.group);
    const all = [...read.originals, ...read.twins.map((t) => t.table)];
    const back: ReadBack = {
      all,
      byId: new Map(all.map((t) => [t.RouteTableId!, t])),
      targetEnis,
      leadsToDeparted: (t) => leadsToDeparted(t, input.target.name, departed, members),
      dryRun: input.dryRun,
    };
    // Each kind judges its items on the same read; the invariant judges the whole reach.
    observed = expectations.map((e) => routesVerifier.verifyOne(e, back));
    const reach = reachOf(
      { originals: read.originals, twins: read.twins.map((t) => t.table), orphanTwins: read.orphanTwins },
      associations ? 'associations' : 'routes',
    );
    truth = judgeTruth(input, expectations, reach, members, departed);
    effective = moves.map((m) => associationsVerifier.verifyOne(m, back));
    const settling =
      observed.some((o) => !o.ok && o.settling) ||
      effective.some((e) => !e.ok && e.settling) ||
      // A route the plan replaced moments ago may read back late (EC2 is eventually consistent): its finding settles.
      truth.problems.some((p) => p.settling);
    if (!settling || rounds > delays.length) break;
    await sleep(delays[rounds - 1]);
  }
  const problems = [...observed, ...truth.problems].filter((o) => !o.ok).map(({ settling: _, ...p }) => p);
  const badMoves = effective.filter((e) => !e.ok).length;
  // The addresses and the invariant's address clause, on a read of their own after the routes' (DescribeAddresses,
  // DescribeNetworkInterfaces): a step beside the table-reading verifiers, whose ReadBack is the route tables.
  const addresses = await verifyAddresses(input, { ec2: deps.ec2, sleep, delays });
  return {
    checked: observed.length + truth.unplanned + effective.length + addresses.checked,
    ok: problems.length === 0 && badMoves === 0 && addresses.ok,
    mismatches: problems.length + badMoves + addresses.mismatches,
    rounds,
    observed: problems.slice(0, PROBLEMS_LISTED),
    invariant: {
      tables: truth.result.tables,
      routes: truth.result.routes,
      findings: truth.result.findings.length,
      split: truth.result.split,
      summary: describeCheck(truth.result, input.target.name, departed),
    },
    ...(truth.warnings.length > 0 ? { warnings: truth.warnings } : {}),
    ...(associations ? { effective: effective.slice(0, EFFECTIVE_LISTED).map(({ settling: _, ...e }) => e) } : {}),
    ...(addresses.verification ? { addresses: addresses.verification } : {}),
    verifiedAt: now().toISOString(),
  };
};

/**
 * The first route of a table (the invariant's first finding on it) that still leads to a departed member, or
 * is blackhole on a member's interface: what an association's effective routes are judged by.
 */
const leadsToDeparted = (
  table: RouteTable,
  target: string,
  departed: string[],
  members: KnownMember[],
): string | undefined => {
  const f = checkInvariant({ target, departed, members, tables: [table] }).findings.find(
    (x) => x.kind !== 'split' || x.state === 'blackhole',
  );
  if (!f) return undefined;
  return f.kind === 'departed'
    ? `${table.RouteTableId} ${f.destination.value} → ${f.member}'s ${f.target}`
    : `${table.RouteTableId} ${f.destination.value} → ${f.target} is blackhole`;
};

interface Truth {
  problems: Array<ObservedRoute & { settling: boolean }>;
  /** Routes to an interface in reach that no planned expectation names (checked by the invariant alone). */
  unplanned: number;
  warnings: string[];
  result: InvariantResult;
}

/**
 * The invariant's findings as verification problems. A route a planned expectation already reports is not
 * counted twice; in a dry run, routes still leading to the departed members are what a dry run leaves (not
 * problems). A blackhole route on an interface no member is known to have had is a warning (it may have been
 * a member's before the inventory knew it).
 */
const judgeTruth = (
  input: VerifyInput,
  expectations: Expectation[],
  reach: RouteTable[],
  members: KnownMember[],
  departed: string[],
): Truth => {
  const result = checkInvariant({ target: input.target.name, departed, members, tables: reach });
  const planned = new Map(expectations.map((e) => [routeKey(e.routeTableId, e.destination), e]));
  const out: Truth = { problems: [], unplanned: 0, warnings: [], result };
  for (const f of result.findings) {
    const e = planned.get(routeKey(f.routeTableId, f.destination));
    if (e && e.expected !== 'untouched' && e.expected !== 'absent') continue; // reported by its expectation
    if (input.dryRun && f.kind !== 'blackhole') continue;
    out.problems.push({
      routeTableId: f.routeTableId,
      destination: f.destination,
      target: f.target,
      state: f.state,
      expected: 'target',
      ok: false,
      problem: problemText.unmoved(f.problem),
      settling: false,
    });
  }
  for (const table of reach) {
    for (const route of table.Routes ?? []) {
      const d = routeDestination(route);
      if (d && (route.NetworkInterfaceId || route.InstanceId) && !planned.has(routeKey(table.RouteTableId!, d)))
        out.unplanned++;
    }
  }
  const known = new Set(members.flatMap((m) => [...m.enis]));
  // A departed member of which nothing is known (terminated with its interfaces deleted, no inventory yet):
  // a blackhole route on an interface nobody knew may well be its. The run cannot call that a success.
  const blind = members.filter((m) => departed.includes(m.name) && [...m.enis].length === 0).map((m) => m.name);
  let unknownBlackholes = 0;
  let unattributed = 0;
  for (const table of reach) {
    for (const route of table.Routes ?? []) {
      const eni = route.NetworkInterfaceId;
      const d = routeDestination(route);
      if (!eni || !d || known.has(eni) || route.State !== 'blackhole' || isPropagated(route) || route.InstanceId)
        continue;
      if (blind.length > 0) {
        unattributed++;
        out.problems.push({
          routeTableId: table.RouteTableId!,
          destination: d,
          target: eni,
          state: route.State,
          expected: 'target',
          ok: false,
          problem: problemText.unattributed(eni, blind),
          settling: false,
        });
        continue;
      }
      if (unknownBlackholes++ < UNKNOWN_BLACKHOLES_LISTED) {
        out.warnings.push(
          `${table.RouteTableId} ${routeDestination(route)?.value} -> ${eni} is blackhole and ${eni} is in no ` +
            "member's inventory: check whether it belonged to a member",
        );
      }
    }
  }
  if (unattributed > 0) {
    out.warnings.push(
      `${unattributed} blackhole route(s) lead to interfaces no member is known to have had, ` +
        `while nothing is known of ${blind.join(', ')}'s interfaces ` +
        `(no inventory, EC2 shows none): they may be ${blind.join(' or ')}'s. Check them and move them by hand; ` +
        'the inventory refresh keeps this from happening again',
    );
  }
  if (unknownBlackholes > UNKNOWN_BLACKHOLES_LISTED)
    out.warnings.push(
      `and ${unknownBlackholes - UNKNOWN_BLACKHOLES_LISTED} more blackhole route(s) to unknown interfaces`,
    );
  return out;
};
