import type { RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations, sameSubject, subjectOf } from './associations';
import { encodeSwitchTimes } from './plan';
import type { AssociationBatchResult, AssociationMove, AssociationStatus } from '../contract/schemas';
import { contentDifferences, contentsOf, mapContents, twinIdentity } from './twins';

/** One association move's outcome before it is indexed into its batch's result. */
export type AssociationOutcome = { st: AssociationStatus; a?: number; e?: string };

/** What the read says of a move before writing: undefined when it is to be sent. */
export const checkAssociationMove = (
  m: AssociationMove,
  tables: Map<string, RouteTable>,
  pairMap: ReadonlyMap<string, string>,
  twinMaps: (member: string) => ReadonlyMap<string, string>,
  refuse: (why: string) => never,
): AssociationOutcome | undefined => {
  const from = tables.get(m.f);
  const to = tables.get(m.t);
  const original = tables.get(m.o);
  if (!to) return { st: 'failed', a: 0, e: `destination table ${m.t} no longer exists` };
  for (const [id, t] of [
    [m.f, from],
    [m.t, to],
  ] as const) {
    if (t && id !== m.o && twinIdentity(t)?.original !== m.o)
      refuse(`route table ${id} is neither ${m.o} nor one of its twins`);
  }
  const here = (t: RouteTable | undefined) => (t ? liveAssociations(t).find((a) => sameSubject(a, m)) : undefined);
  if (here(to)) return { st: 'already-on-target' };
  if (!from || !here(from))
    return {
      st: 'conflict',
      e: `${subjectOf(m)} is no longer associated with ${m.f} (moved by someone else): left alone`,
    };
  if (!original) return { st: 'drifted', e: `original ${m.o} no longer exists: its twin is not trusted` };
  // Never trust a drifted twin: the destination must hold exactly what the per-route mode would
  // leave in the source table.
  const unlike = contentDifferences(mapContents(contentsOf(from), pairMap), contentsOf(to), 2);
  if (unlike.length > 0)
    return { st: 'drifted', e: `${m.t} does not hold what ${m.f} needs after the switch: ${unlike.join('; ')}` };
  if (m.t !== m.o) {
    const drift = contentDifferences(
      mapContents(contentsOf(original), twinMaps(twinIdentity(to)?.member ?? '')),
      contentsOf(to),
      2,
    );
    if (drift.length > 0) return { st: 'drifted', e: `twin ${m.t} drifted from ${m.o}: ${drift.join('; ')}` };
  }
  return undefined;
};

/** Every move's outcome in batch order; each distinct error text once. */
export const summarizeAssociations = (
  id: number,
  results: AssociationOutcome[],
  at: Date,
  switchedAt: Array<number | undefined>,
): AssociationBatchResult => {
  const errors: string[] = [];
  const r = results.map(({ st, a, e }) => {
    if (e === undefined) return { st, ...(a !== undefined ? { a } : {}) };
    const k = errors.indexOf(e);
    return { st, ...(a !== undefined ? { a } : {}), x: k >= 0 ? k : errors.push(e) - 1 };
  });
  const sw = encodeSwitchTimes(at.getTime(), switchedAt);
  return { id, r, ...(errors.length > 0 ? { errors } : {}), at: at.toISOString(), ...(sw !== undefined ? { sw } : {}) };
};
