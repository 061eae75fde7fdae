/** Differences between two CloudFormation templates that matter to a deployment (used by pack-check.ts). */

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON of any shape, walked generically.
type Json = any;

const sorted = (v: Json): Json =>
  Array.isArray(v)
    ? v.map(sorted)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted(v[k])]),
        )
      : v;
/** A resource as deployed: Metadata (aws:cdk:path, asset paths) left out, asset hashes (64 hex digits) masked. */
const normal = (v: Json): string => {
  const { Metadata: _metadata, ...rest } = v ?? {};
  return JSON.stringify(sorted(rest)).replace(/[0-9a-f]{64}/g, '<asset hash>');
};

/**
 * Logical IDs added or removed, and bodies that differ, in Resources, Outputs, Parameters, Conditions and Rules.
 * The CDKMetadata resource (construct analytics) is left out.
 */
export const templateDifferences = (before: Json, after: Json): string[] => {
  const out: string[] = [];
  for (const section of ['Resources', 'Outputs', 'Parameters', 'Conditions', 'Rules']) {
    const a: Record<string, Json> = before[section] ?? {};
    const b: Record<string, Json> = after[section] ?? {};
    for (const id of Object.keys(a))
      if (id !== 'CDKMetadata' && !(id in b)) out.push(`${section}: ${id} removed (${a[id].Type ?? ''})`);
    for (const id of Object.keys(b))
      if (id !== 'CDKMetadata' && !(id in a)) out.push(`${section}: ${id} added (${b[id].Type ?? ''})`);
    for (const id of Object.keys(a))
      if (id !== 'CDKMetadata' && id in b && normal(a[id]) !== normal(b[id])) out.push(`${section}: ${id} changed`);
  }
  return out;
};
