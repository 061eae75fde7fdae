/**
 * The addresses' part of the audit record, and what they weigh in the outcome: each address before (the plan's
 * read), after (VerifySwitch's read back), its result, calls and time to switch; the run is `succeeded` only when
 * every address reads back on the target and the invariant's address clause holds.
 */
import type { AddressResult, AuditAddress, AuditAddresses } from '../../contract/address-schemas';
import type { Plan, Verification } from '../../contract/schemas';

export interface AddressJudgement {
  section?: AuditAddresses;
  /** Addresses on the target because of this run (or found there). */
  good: number;
  /** One line per address not where it must be, and per finding of the clause. */
  bad: string[];
  /** Dry-run moves the endpoint carried out (it ignored DryRun). */
  ignored: string[];
}

/** The addresses section of the record and its weight in the outcome; empty when the group moves no address. */
export const judgeAddresses = (
  state: {
    plan?: Pick<Plan, 'addresses'>;
    results?: Array<{ addresses?: AddressResult[] }>;
    verification?: Pick<Verification, 'addresses'>;
    dryRun?: boolean;
  },
  startMs: number,
): AddressJudgement => {
  const planned = state.plan?.addresses;
  if (!planned) return { good: 0, bad: [], ignored: [] };
  const results = new Map((state.results ?? []).flatMap((r) => r.addresses ?? []).map((a) => [a.id, a]));
  const read = state.verification?.addresses;
  const verdicts = new Map((read?.items ?? []).map((v) => [v.id, v]));
  const list: AuditAddress[] = planned.items.map((i) => {
    const r = results.get(i.id);
    const v = verdicts.get(i.id);
    const status: AuditAddress['status'] =
      i.status === 'noop'
        ? 'noop'
        : i.status === 'cannot-move'
          ? 'cannot-move'
          : i.action === 'with-secondary'
            ? 'with-secondary'
            : (r?.status ?? 'not-attempted');
    const switched = r?.switchedAt ? Date.parse(r.switchedAt) : Number.NaN;
    // Whose interface the read-back found it on, when it is one the plan knows.
    const placed = (f: { eni: string; privateIp: string }) => {
      const member = [i.to, i.from].find((p) => p?.eni === f.eni)?.member;
      return { ...f, ...(member ? { member } : {}) };
    };
    return {
      kind: i.kind,
      id: i.id,
      ...(i.publicIp ? { publicIp: i.publicIp } : {}),
      slot: i.slot,
      status,
      ...(i.from ? { before: i.from } : {}),
      ...(v
        ? { after: v.found ? placed(v.found) : null, verified: v.status === 'verified' || v.status === 'unchanged' }
        : {}),
      ...(r?.attempts !== undefined ? { attempts: r.attempts } : {}),
      ...(Number.isFinite(switched) && Number.isFinite(startMs)
        ? { timeToSwitchMs: Math.max(0, switched - startMs) }
        : {}),
      ...(v?.problem || r?.error || i.problem ? { problem: v?.problem ?? r?.error ?? i.problem } : {}),
    };
  });
  const times = list.flatMap((a) => (a.timeToSwitchMs !== undefined ? [a.timeToSwitchMs] : []));
  const label = (a: AuditAddress) => (a.publicIp ? `${a.publicIp} (${a.id})` : a.id);
  const ignored = list.filter((a) => a.status === 'dry-run-ignored').map((a) => `${label(a)}: MOVED in a dry run`);
  const bad = [
    ...list
      .filter(
        (a) =>
          a.status !== 'cannot-move' &&
          (a.verified === false ||
            (a.verified === undefined && !['dry-run', 'dry-run-unjudged'].includes(a.status)) ||
            a.status === 'failed' ||
            a.status === 'conflict'),
      )
      .map((a) => `${label(a)}: ${a.problem ?? a.status}`),
    ...(read?.problems ?? []),
  ];
  const good = state.dryRun ? 0 : list.filter((a) => a.verified === true && !['cannot-move'].includes(a.status)).length;
  return {
    section: {
      planned: planned.items.length,
      moved: list.filter((a) => (a.status === 'moved' || a.status === 'with-secondary') && a.verified === true).length,
      alreadyOnTarget: planned.noops,
      cannotMove: planned.cannotMove,
      ...(read ? { invariant: read.summary } : {}),
      ...(times.length > 0 ? { timeToSwitchMaxMs: Math.max(...times) } : {}),
      list,
    },
    good,
    bad: [...new Set(bad)],
    ignored,
  };
};

interface Judged {
  outcome: 'succeeded' | 'noop' | 'dry-run' | 'partial' | 'failed' | 'suppressed';
  error?: string;
  cause?: string;
}

/**
 * The routes' (and associations') outcome with the addresses folded in: a dry run that moved an address failed
 * (DryRunIgnored); an address not on the target, or a finding of the address clause, turns `succeeded` (or a
 * `noop` of the routes) into `partial` or `failed` (AddressesNotSwitched) and adds its line to the cause; a run
 * whose routes were already in place but whose addresses moved is `succeeded`.
 */
export const foldAddressOutcome = <J extends Judged>(
  j: J,
  a: AddressJudgement,
  dryRun: boolean,
  clip: (s: string) => string,
): J => {
  if (!a.section || j.outcome === 'suppressed') return j;
  const planned = a.section.planned;
  if (a.ignored.length > 0) {
    const why = 'EC2 answered success, not DryRunOperation';
    const head = `dry run NOT honoured: ${a.ignored.length} address(es) MOVED (${why})`;
    return {
      ...j,
      outcome: 'failed',
      error: 'DryRunIgnored',
      cause: clip(`${head}: ${a.ignored.join('; ')}${j.cause ? `; ${j.cause}` : ''}`),
    };
  }
  if (a.bad.length > 0) {
    const line = `${a.bad.length} address problem(s) of ${planned} address(es): ${a.bad.join('; ')}`;
    if (j.outcome === 'partial' || j.outcome === 'failed')
      return { ...j, cause: clip(`${j.cause ?? j.error ?? j.outcome}; ${line}`) };
    const outcome = dryRun ? 'failed' : j.outcome === 'succeeded' || a.good > 0 ? 'partial' : 'failed';
    return {
      ...j,
      outcome,
      error: dryRun ? 'DryRunFailed' : 'AddressesNotSwitched',
      cause: clip(dryRun ? `dry run: ${line}` : line),
    };
  }
  if (j.outcome === 'noop' && a.section.moved > 0) return { ...j, outcome: 'succeeded' };
  return j;
};

/** ", 2 address(es) on router-b" for the record's summary line. */
export const addressSummaryText = (a: AuditAddresses | undefined, to: string | undefined): string =>
  !a
    ? ''
    : `; addresses: ${a.moved} moved, ${a.alreadyOnTarget} already on ${to ?? 'the target'}, ${a.cannotMove} left`;
