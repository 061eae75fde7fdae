import type { KnownMember } from '../domain/invariant';
import type { FailoverState } from '../contract/schemas';

/** What the execution's state says of the members: the fields ResolveTargets left for verification. */
export type MemberEvidence = Pick<FailoverState, 'target' | 'targetEnis' | 'sources' | 'pairs' | 'members'>;

/**
 * Every member as this execution knows it: the target's interfaces, each source's (live, inventory, or learned
 * from the routes' InstanceId), what ResolveTargets saw of the others, and any further interfaces the caller
 * knows of (an address's endpoints, for instance).
 */
export const knownMembers = (
  input: MemberEvidence,
  more: Array<{ member?: string; instanceId?: string; eni?: string }> = [],
): KnownMember[] => {
  const byName = new Map<string, KnownMember & { enis: Set<string> }>();
  const add = (name: string, instanceId: string | undefined, enis: Iterable<string>) => {
    const m = byName.get(name) ?? { name, instanceId, enis: new Set<string>() };
    m.instanceId ??= instanceId;
    for (const e of enis) m.enis.add(e);
    byName.set(name, m);
  };
  add(input.target.name, input.target.instanceId, input.targetEnis);
  for (const s of input.sources) add(s.name, s.instanceId, []);
  for (const p of input.pairs) add(p.fromMember, undefined, [p.fromEni]);
  for (const m of input.members ?? []) add(m.name, m.instanceId, m.enis);
  for (const e of more) if (e.member) add(e.member, e.instanceId, e.eni ? [e.eni] : []);
  return [...byName.values()];
};
