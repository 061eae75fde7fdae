import {
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DisableVgwRoutePropagationCommand,
  type EC2Client,
  EnableVgwRoutePropagationCommand,
  ReplaceRouteCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import { errorText, isThrottling, toEc2Error } from '../contract/aws-errors';
import type { FailoverConfig, Group } from '../contract/config';
import { NotAssociationsModeError, TwinWriteRefusedError, UnknownGroupError } from '../contract/errors';
import type { GroupStateStore } from '../domain/group-state';
import type { WritePacer } from '../domain/pacer';
import { destinationParams } from '../domain/routes';
import { describeRouteTablesById } from '../aws/route-tables';
import { liveAssociations } from '../domain/associations';
import {
  type ContentChanges,
  contentChanges,
  contentsOf,
  type LiveTwinDrift,
  liveTwinDrift,
  noChanges,
  type StaticRoute,
  twinIdentity,
  twinTags,
} from '../domain/twins';
import {
  type GroupPlan,
  type NotBuildable,
  type Orphan,
  type OriginalPlan,
  type PartialTwin,
  planGroup,
  type TwinPlan,
} from './plan-twins';

export interface ReconcileTwinsInput {
  /** Groups to reconcile (each must be in the associations mode); every associations-mode group when absent. */
  groups?: string[];
  /** Only these originals (of whichever group holds them); orphans are still reported for the whole scope. */
  routeTableIds?: string[];
  /** Compute and return the changes; write nothing. */
  dryRun?: boolean;
}

export interface ReconcileTwinsDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  store: Pick<GroupStateStore, 'readInventory'>;
  /** ReplaceRoute shares EC2's bucket with failovers: draw from the stack's pacer when given. */
  pacer?: WritePacer;
  now?: () => Date;
  /** Waits between attempts of a throttled write (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** At most this many routes listed per kind of change (the counts are always whole). */
export const CHANGE_LIST_MAX = 25;
/** Attempts of one write that EC2 answers with throttling, with exponential backoff and full jitter between them. */
export const WRITE_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 4000;

export interface TwinChanges {
  counts: { added: number; replaced: number; removed: number; propagation: number };
  /** "destination → target" of each route created, at most CHANGE_LIST_MAX. */
  added: string[];
  replaced: string[];
  /** "destination → target" of each route deleted from the twin. */
  removed: string[];
  /** "enable vgw-…" / "disable vgw-…". */
  propagation: string[];
}

export interface TwinReport {
  member: string;
  /** The twin's ID; absent for a twin a dry run would create, or whose creation failed. */
  twin?: string;
  /** Created by this pass (in a dry run: would be created). */
  created: boolean;
  /** False when the original already points at this member (an existing twin is kept true all the same). */
  needed: boolean;
  /** How the twin differed from what it must hold, before this pass (contentDifferences). */
  driftBefore: string[];
  /** What was written (in a dry run: what would be). */
  changes: TwinChanges;
  /**
   * Present when the twin carries traffic (subnet, gateway or main associations, read just before writing):
   * nothing of it is written, and how it differs from its original is reported here instead (at most
   * CHANGE_LIST_MAX; `omitted` counts the rest). The twin is written again once no association uses it.
   */
  inUse?: { associations: number; drift: LiveTwinDrift[]; omitted: number };
  error?: string;
}

export interface OriginalReport {
  original: string;
  name?: string;
  twins: TwinReport[];
  notBuildable: NotBuildable[];
  error?: string;
}

export interface GroupReconcileReport {
  group: string;
  vpcId: string;
  originals: OriginalReport[];
  orphans: Orphan[];
  /** Present when there are orphans: how to remove them (never done automatically). */
  orphanRemoval?: string;
  /** Tables with only some twin tags: never written; fix or remove their tags. */
  partialTwins: PartialTwin[];
  duplicates: GroupPlan['duplicates'];
  warnings: string[];
  /** The group could not be read at all. */
  error?: string;
}

export interface ReconcileTwinsReport {
  dryRun: boolean;
  at: string;
  /** Nothing failed (no group, table or twin error). */
  ok: boolean;
  /** Writes sent (0 in a dry run). */
  writes: number;
  /** Differences found on twins that carry traffic, reported and left as they are (see TwinReport.inUse). */
  liveDrift: number;
  groups: GroupReconcileReport[];
}

export const ORPHAN_REMOVAL =
  'orphan twins are never deleted automatically. A twin with no association can be removed with ' +
  '`aws ec2 delete-route-table --route-table-id <twin>`; one that ' +
  'still has associations carries traffic: move them back first ' +
  '(`aws ec2 replace-route-table-association`).';

/** The groups a reconcile covers; a named group that is unknown or not in the associations mode is a named error. */
export const groupsToReconcile = (config: FailoverConfig, names: string[] | undefined): Group[] => {
  if (!names) return config.groups.filter((g) => g.switchMode === 'associations');
  return names.map((n) => {
    const g = config.groups.find((x) => x.name === n);
    if (!g)
      throw new UnknownGroupError(
        n,
        config.groups.map((x) => x.name),
      );
    if (g.switchMode !== 'associations') throw new NotAssociationsModeError(n, g.switchMode);
    return g;
  });
};

/**
 * Keeps every twin of the associations-mode groups true: creates the twins a switch needs, makes each one's
 * routes and propagation equal its original's with the member's interfaces in place. Writes only tables whose
 * twin tags name the group, re-read just before writing; never an original, and never a twin that subnets (or a
 * gateway, or main) use: that one's differences are reported as drift (TwinReport.inUse) and left in place. One
 * table's failure does not stop the others. A dry run reads and reports only.
 */
export const reconcileTwins = async (
  input: ReconcileTwinsInput,
  deps: ReconcileTwinsDeps,
): Promise<ReconcileTwinsReport> => {
  const now = deps.now ?? (() => new Date());
  const groups = groupsToReconcile(deps.config, input.groups);
  const only = input.routeTableIds ? new Set(input.routeTableIds) : undefined;
  const writer = new TwinWriter(deps);
  const reports: GroupReconcileReport[] = [];
  for (const group of groups) {
    let plan: GroupPlan;
    try {
      plan = await planGroup(deps, group, now(), only);
    } catch (err) {
      reports.push({
        group: group.name,
        vpcId: group.vpcId,
        originals: [],
        orphans: [],
        partialTwins: [],
        duplicates: [],
        warnings: [],
        error: errorText(err),
      });
      continue;
    }
    const originals: OriginalReport[] = [];
    for (const o of plan.originals) originals.push(await reconcileOriginal(plan, o, writer, input.dryRun === true));
    reports.push({
      group: group.name,
      vpcId: group.vpcId,
      originals,
      orphans: plan.orphans,
      ...(plan.orphans.length > 0 ? { orphanRemoval: ORPHAN_REMOVAL } : {}),
      partialTwins: plan.partial,
      duplicates: plan.duplicates,
      warnings: plan.warnings,
    });
  }
  const ok = reports.every((g) => !g.error && g.originals.every((o) => !o.error && o.twins.every((t) => !t.error)));
  const liveDrift = reports
    .flatMap((g) => g.originals.flatMap((o) => o.twins))
    .reduce((n, t) => n + (t.inUse ? t.inUse.drift.length + t.inUse.omitted : 0), 0);
  return {
    dryRun: input.dryRun === true,
    at: now().toISOString(),
    ok,
    writes: writer.writes,
    liveDrift,
    groups: reports,
  };
};

const reconcileOriginal = async (
  plan: GroupPlan,
  o: OriginalPlan,
  writer: TwinWriter,
  dryRun: boolean,
): Promise<OriginalReport> => {
  const id = o.original.RouteTableId!;
  const report: OriginalReport = {
    original: id,
    name: o.original.Tags?.find((t) => t.Key === 'Name')?.Value,
    twins: [],
    notBuildable: o.notBuildable,
  };
  try {
    for (const t of o.twins)
      report.twins.push(dryRun ? dryRunTwin(plan, t) : await writer.reconcileTwin(plan, o.original, t));
  } catch (err) {
    report.error = errorText(err);
  }
  return report;
};

const dryRunTwin = (plan: GroupPlan, t: TwinPlan): TwinReport => {
  const { changes, inUse } = twinChanges(plan, t.member, t.wanted, t.twin);
  return {
    member: t.member,
    twin: t.twin?.RouteTableId,
    created: !t.twin,
    needed: t.needed,
    driftBefore: t.drift,
    changes: describeChanges(changes),
    ...(inUse ? { inUse } : {}),
  };
};

const NO_CHANGES: ContentChanges = { add: [], replace: [], remove: [], enable: [], disable: [], locals: [] };

/**
 * What a pass writes to a twin (when it is to be created: everything is added). A twin with live associations
 * is what its subnets route by: it gets no write at all (no CreateRoute, ReplaceRoute or DeleteRoute: a route an
 * operator added there after a failover is live traffic), and its differences are reported as drift instead.
 */
const twinChanges = (
  plan: GroupPlan,
  member: string,
  wanted: TwinPlan['wanted'],
  table: RouteTable | undefined,
): { changes: ContentChanges; inUse?: TwinReport['inUse'] } => {
  const actual = table ? contentsOf(table) : { routes: new Map(), vgws: [] };
  const changes = contentChanges(wanted, actual);
  const associations = table ? liveAssociations(table).length : 0;
  if (!table || associations === 0) return { changes };
  const others = new Set(
    plan.members.filter((m) => m.member !== member).flatMap((m) => m.interfaces.map((i) => i.eni)),
  );
  const drift = liveTwinDrift(table.RouteTableId!, changes, actual, others);
  return {
    changes: NO_CHANGES,
    inUse: {
      associations,
      drift: drift.slice(0, CHANGE_LIST_MAX),
      omitted: Math.max(0, drift.length - CHANGE_LIST_MAX),
    },
  };
};

const routeText = (r: StaticRoute): string => `${r.destination.value} → ${r.target.id}`;

const capped = (items: string[]): string[] =>
  items.length <= CHANGE_LIST_MAX
    ? items
    : [...items.slice(0, CHANGE_LIST_MAX), `and ${items.length - CHANGE_LIST_MAX} more`];

/** A change set as the report shows it. */
export const describeChanges = (c: ContentChanges): TwinChanges => ({
  counts: {
    added: c.add.length,
    replaced: c.replace.length + (c.locals?.length ?? 0),
    removed: c.remove.length,
    propagation: c.enable.length + c.disable.length,
  },
  added: capped(c.add.map(routeText)),
  replaced: capped([
    ...c.replace.map(routeText),
    ...(c.locals ?? []).map((l) => `${l.destination.value} → ${l.target?.id ?? 'local'} (local route)`),
  ]),
  removed: capped(c.remove.map(routeText)),
  propagation: [...c.enable.map((g) => `enable ${g}`), ...c.disable.map((g) => `disable ${g}`)],
});

const UNPACED: WritePacer = {
  reserve: async (count) => new Array<number>(count).fill(0),
  throttled: async () => undefined,
  waitUntil: async () => undefined,
};

/** Sends the writes of twins, each checked against the group's twin tags first. */
class TwinWriter {
  writes = 0;
  private readonly pacer: WritePacer;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly deps: ReconcileTwinsDeps) {
    this.pacer = deps.pacer ?? UNPACED;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = deps.random ?? Math.random;
  }

  async reconcileTwin(plan: GroupPlan, original: RouteTable, t: TwinPlan): Promise<TwinReport> {
    const report: TwinReport = {
      member: t.member,
      twin: t.twin?.RouteTableId,
      created: false,
      needed: t.needed,
      driftBefore: t.drift,
      changes: describeChanges(contentChanges(t.wanted, t.wanted)),
    };
    try {
      let table: RouteTable;
      if (t.twin) {
        // Re-read just before writing: the tags must still name this group, original and member.
        const [fresh] = await describeRouteTablesById(this.deps.ec2, plan.group.vpcId, [t.twin.RouteTableId!]);
        if (!fresh)
          throw new TwinWriteRefusedError(
            `twin ${t.twin.RouteTableId} is gone since it was read; the next pass recreates it`,
          );
        table = fresh;
      } else {
        table = await this.create(plan, original, t.member);
        report.twin = table.RouteTableId;
        report.created = true;
      }
      this.check(plan, table, original.RouteTableId!, t.member);
      const { changes, inUse } = twinChanges(plan, t.member, t.wanted, table);
      report.changes = describeChanges(changes);
      if (inUse) report.inUse = inUse;
      if (!noChanges(changes)) await this.apply(table.RouteTableId!, changes);
    } catch (err) {
      report.error = errorText(err);
    }
    return report;
  }

  /** Refuses a write to any table that is not, by its tags read now, this group's twin of `original` for `member`. */
  private check(plan: GroupPlan, table: RouteTable, original: string, member: string): void {
    const id = table.RouteTableId!;
    const identity = twinIdentity(table);
    if (plan.untouchable.has(id) || id === original)
      throw new TwinWriteRefusedError(
        `${id} is not a twin this reconcile may write (an original, ` +
          `a partial twin or another group's); nothing was written to it`,
      );
    if (
      !identity ||
      identity.group !== plan.group.name ||
      identity.original !== original ||
      identity.member !== member
    ) {
      throw new TwinWriteRefusedError(
        `${id} no longer carries the twin tags of ${original} for ` +
          `${member} in group ${plan.group.name}; nothing was written to it`,
      );
    }
  }

  private async create(plan: GroupPlan, original: RouteTable, member: string): Promise<RouteTable> {
    // One token for the attempts of this one creation: a retried request never makes a second twin.
    const ClientToken = randomUUID();
    const out = await this.send('CreateRouteTable', () =>
      this.deps.ec2.send(
        new CreateRouteTableCommand({
          VpcId: plan.group.vpcId,
          ClientToken,
          TagSpecifications: [{ ResourceType: 'route-table', Tags: twinTags(plan.group.name, original, member) }],
        }),
      ),
    );
    const created = out.RouteTable;
    if (!created?.RouteTableId)
      throw new TwinWriteRefusedError(
        `CreateRouteTable for the twin of ${original.RouteTableId} (${member}) returned no table`,
      );
    if (twinIdentity(created)) return created;
    // An endpoint that does not echo the tags: read the table back (the tags are what every write is checked on).
    const [read] = await describeRouteTablesById(this.deps.ec2, plan.group.vpcId, [created.RouteTableId]);
    if (!read)
      throw new TwinWriteRefusedError(
        `twin ${created.RouteTableId} was created but cannot be read yet; the next pass fills it`,
      );
    return read;
  }

  private async apply(id: string, c: ContentChanges): Promise<void> {
    const target = (r: StaticRoute) => ({ [r.target.field]: r.target.id });
    for (const r of c.add) {
      await this.send(`CreateRoute ${r.destination.value} in ${id}`, () =>
        this.deps.ec2.send(
          new CreateRouteCommand({ RouteTableId: id, ...destinationParams(r.destination), ...target(r) }),
        ),
      );
    }
    for (const r of c.replace) {
      await this.send(
        `ReplaceRoute ${r.destination.value} in ${id}`,
        () =>
          this.deps.ec2.send(
            new ReplaceRouteCommand({ RouteTableId: id, ...destinationParams(r.destination), ...target(r) }),
          ),
        true,
      );
    }
    // The twin's own local routes (EC2 made them with the table): their target follows the original's middlebox.
    for (const l of c.locals ?? []) {
      const to = l.target ? { [l.target.field]: l.target.id } : { LocalTarget: true };
      await this.send(
        `ReplaceRoute local ${l.destination.value} in ${id}`,
        () =>
          this.deps.ec2.send(new ReplaceRouteCommand({ RouteTableId: id, ...destinationParams(l.destination), ...to })),
        true,
      );
    }
    // The one DeleteRoute of the product, on a twin only (its tags are re-checked before apply runs; never an original,
    // and never in the failover workflow), and only on a twin no association uses (twinChanges writes nothing to one
    // that carries traffic): the original no longer has this route, so the twin must not either, or a failover would
    // move subnets to a table that still routes somewhere the operator removed.
    for (const r of c.remove) {
      await this.send(`DeleteRoute ${r.destination.value} in ${id}`, () =>
        this.deps.ec2.send(new DeleteRouteCommand({ RouteTableId: id, ...destinationParams(r.destination) })),
      );
    }
    for (const g of c.enable)
      await this.send('EnableVgwRoutePropagation', () =>
        this.deps.ec2.send(new EnableVgwRoutePropagationCommand({ RouteTableId: id, GatewayId: g })),
      );
    for (const g of c.disable)
      await this.send('DisableVgwRoutePropagation', () =>
        this.deps.ec2.send(new DisableVgwRoutePropagationCommand({ RouteTableId: id, GatewayId: g })),
      );
  }

  /** One write, retried when throttled (backoff with full jitter); ReplaceRoute waits for its pacer turn first. */
  private async send<T>(what: string, call: () => Promise<T>, paced = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (paced) {
        const [turn] = (await this.pacer.reserve(1)) ?? [0];
        await this.pacer.waitUntil(turn);
      }
      try {
        this.writes++;
        return await call();
      } catch (err) {
        if (!isThrottling(err) || attempt >= WRITE_ATTEMPTS)
          throw toEc2Error(err, `${what}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`);
        if (paced) await this.pacer.throttled();
        await this.sleep(Math.floor(this.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1))));
      }
    }
  }
}
