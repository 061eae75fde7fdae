import type { RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations, sameSubject, subjectOf, type MoveResult } from '../domain/associations';
import type { AssociationMove, Verification } from '../contract/schemas';

export type EffectiveEntry = NonNullable<Verification['effective']>[number];

/** The table a subject (subnet, gateway, main) uses now, among `tables`. */
export const tableOfSubject = (tables: RouteTable[], m: AssociationMove): RouteTable | undefined =>
  tables.find((t) => liveAssociations(t).some((a) => sameSubject(a, m)));

/**
 * How each planned association reads back: the table its subject uses, that table's route count (the
 * subject's effective routes: a subnet without an explicit association uses the main table), and whether it
 * is where the plan wants it. A move made moments ago that does not read back yet is `settling`.
 */
export const observeMoves = (
  moves: MoveResult[],
  tables: RouteTable[],
  leadsToSource: (t: RouteTable) => string | undefined,
  dryRun: boolean,
): Array<EffectiveEntry & { settling: boolean }> =>
  moves.map(({ move: m, status }) => {
    const table = tableOfSubject(tables, m);
    const subject = subjectOf(m);
    const base = { subject, table: table?.RouteTableId, n: table?.Routes?.length ?? 0 };
    if (!table)
      return {
        ...base,
        ok: false,
        settling: status === 'moved',
        problem: `${subject} is associated with no table of the group`,
      };
    const wantOn =
      status === 'dry-run'
        ? m.f
        : status === 'moved' || status === 'already-on-target' || status === 'dry-run-ignored'
          ? m.t
          : undefined;
    if (wantOn && table.RouteTableId !== wantOn) {
      return {
        ...base,
        ok: false,
        settling: status === 'moved',
        problem: `uses ${table.RouteTableId}, expected ${wantOn}${status === 'dry-run' ? ' (dry run: unchanged)' : ''}`,
      };
    }
    const bad = dryRun ? undefined : leadsToSource(table);
    if (bad)
      return { ...base, ok: false, settling: false, problem: `effective routes still lead to the failed side: ${bad}` };
    return { ...base, ok: true, settling: false };
  });
