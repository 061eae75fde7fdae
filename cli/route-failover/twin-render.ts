import type { TwinDrift } from '../../functions/reconcile-twins/plan-twins';
import type { GroupReconcileReport, ReconcileTwinsReport, TwinReport } from '../../functions/reconcile-twins/report';

/** Text views of twin tables: what `prepare` did (or would do) and the drift `status` shows. */

const tableLabel = (id: string, name?: string) => (name ? `${id} (${name})` : id);

const changeLine = (t: TwinReport): string => {
  const c = t.changes.counts;
  const parts = [
    c.added && `+${c.added} route(s)`,
    c.replaced && `~${c.replaced} replaced`,
    c.removed && `-${c.removed} removed`,
    ...t.changes.propagation,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'already true';
};

const twinLine = (t: TwinReport, dryRun: boolean): string[] => {
  const id = t.twin ?? (dryRun ? '(to create)' : '(not created)');
  const what = t.created
    ? dryRun
      ? 'WOULD CREATE'
      : 'CREATED'
    : t.inUse && t.driftBefore.length > 0
      ? 'DRIFTED (in use)'
      : t.driftBefore.length > 0
        ? dryRun
          ? 'WOULD FIX'
          : 'FIXED'
        : 'OK';
  const notNeeded = t.needed ? '' : ' (not needed: the original points at this member)';
  const lines = [
    `    ${t.member.padEnd(12)} ${id.padEnd(22)} ${t.error ? 'FAILED' : what}  ${changeLine(t)}${notNeeded}`,
  ];
  const detail = [
    ...t.changes.added.map((x) => `+ ${x}`),
    ...t.changes.replaced.map((x) => `~ ${x}`),
    ...t.changes.removed.map((x) => `- ${x}`),
  ];
  for (const d of detail) lines.push(`      ${d}`);
  if (t.inUse && (t.inUse.drift.length > 0 || t.inUse.omitted > 0)) {
    const more = t.inUse.omitted > 0 ? `; and ${t.inUse.omitted} more` : '';
    const drift = t.inUse.drift
      .map((d) => `${d.destination} → ${d.target} (${d.kind}, original: ${d.wanted})`)
      .join('; ');
    lines.push(`      IN USE by ${t.inUse.associations} association(s): DRIFT reported, not written: ${drift}${more}`);
  }
  if (t.error) lines.push(`      error: ${t.error}`);
  return lines;
};

/** One group's reconcile, as `prepare` prints it. */
export const renderGroupReconcile = (g: GroupReconcileReport, dryRun: boolean): string => {
  const lines = [`GROUP ${g.group} (${g.vpcId})${dryRun ? '  DRY RUN: nothing was changed' : ''}`];
  if (g.error) lines.push(`  ERROR: ${g.error}`);
  if (!g.error && g.originals.length === 0)
    lines.push('  no route table of the scope routes to a member: no twin needed');
  for (const o of g.originals) {
    lines.push(`  ${tableLabel(o.original, o.name)}`);
    for (const t of o.twins) lines.push(...twinLine(t, dryRun));
    for (const n of o.notBuildable) {
      const unpaired = n.unpaired.map((u) => `${u.member} ${u.eni} (slot ${u.slot}) has no pair on ${n.member}`);
      lines.push(`    ${n.member.padEnd(12)} NOT BUILDABLE: ${unpaired.join('; ')}`);
    }
    if (o.error) lines.push(`    ERROR: ${o.error}`);
  }
  for (const d of g.duplicates)
    lines.push(
      `  DUPLICATE twins of ${d.original} for ${d.member}: ${d.twins.join(', ')} (none is written: remove all but one)`,
    );
  for (const p of g.partialTwins)
    lines.push(
      `  PARTIAL twin tags on ${p.table} (${Object.entries(p.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}): never written; complete or remove the tags`,
    );
  for (const o of g.orphans)
    lines.push(
      `  ORPHAN ${o.twin} (twin of ${o.original} for ${o.member}): ${o.reason}; ${o.associations} association(s)`,
    );
  if (g.orphanRemoval) lines.push(`  ${g.orphanRemoval}`);
  for (const w of g.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
};

/** The whole reconcile, as `prepare` prints it. */
export const renderReconcile = (r: ReconcileTwinsReport): string => {
  const total = r.groups
    .flatMap((g) => g.originals.flatMap((o) => o.twins))
    .reduce(
      (n, t) =>
        n +
        t.changes.counts.added +
        t.changes.counts.replaced +
        t.changes.counts.removed +
        t.changes.counts.propagation +
        (t.created ? 1 : 0),
      0,
    );
  const tail = r.dryRun
    ? `${total} write(s) would be sent; run without --dry-run to make them.`
    : `${r.writes} write(s) sent.${r.ok ? '' : ' Some tables FAILED (see above); run prepare again once fixed.'}`;
  return [...r.groups.map((g) => renderGroupReconcile(g, r.dryRun)), tail].join('\n\n');
};

/** The twins of a group for `status`: one line per original, OK / DRIFTED: first differences / MISSING per member. */
export const renderTwinDrift = (d: TwinDrift): string[] => {
  if (d.originals.length === 0) return ['twins: no route table of the scope routes to a member'];
  const lines = d.originals.map(
    (o) =>
      `twins of ${tableLabel(o.original, o.name)}: ${o.twins
        .map((t) =>
          t.state === 'ok'
            ? `${t.member} ${t.twin} OK`
            : t.state === 'missing'
              ? `${t.member} MISSING`
              : t.state === 'drifted'
                ? `${t.member} ${t.twin} DRIFTED: ${t.differences.slice(0, 2).join('; ')}` +
                  (t.differences.length > 2 ? '; …' : '')
                : `${t.member} NOT BUILDABLE: ${t.differences[0]}`,
        )
        .join('; ')}`,
  );
  for (const x of d.duplicates)
    lines.push(`twins: DUPLICATE twins of ${x.original} for ${x.member}: ${x.twins.join(', ')}`);
  if (d.orphans.length > 0)
    lines.push(`twins: ${d.orphans.length} orphan(s): ${d.orphans.map((o) => o.twin).join(', ')} (see prepare)`);
  if (d.partial.length > 0)
    lines.push(`twins: partial twin tags on ${d.partial.map((p) => p.table).join(', ')} (never written)`);
  return lines;
};
