/** The writes of a twin reconcile: create a twin, make its routes and propagation true; each checked, paced. */
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
import { TwinWriteRefusedError } from '../contract/errors';
import type { WritePacer } from '../domain/pacer';
import { destinationParams } from '../domain/routes';
import { describeRouteTablesById } from '../aws/route-tables';
import {
  type ContentChanges,
  contentChanges,
  noChanges,
  type StaticRoute,
  twinIdentity,
  twinTags,
} from '../domain/twins';
import type { GroupPlan, TwinPlan } from './plan-twins';
import type { TwinReport } from './report';
import { describeChanges, twinChanges } from './twin-changes';

/** What the writer of twins needs: the EC2 client, and how to pace and wait. */
export interface TwinWriterDeps {
  ec2: EC2Client;
  /** ReplaceRoute shares EC2's bucket with failovers: draw from the stack's pacer when given. */
  pacer?: WritePacer;
  /** Waits between attempts of a throttled write (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Attempts of one write that EC2 answers with throttling, with exponential backoff and full jitter between them. */
export const WRITE_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 4000;

const UNPACED: WritePacer = {
  reserve: async (count) => new Array<number>(count).fill(0),
  throttled: async () => undefined,
  waitUntil: async () => undefined,
};

/** Sends the writes of twins, each checked against the group's twin tags first. */
export class TwinWriter {
  writes = 0;
  private readonly pacer: WritePacer;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly deps: TwinWriterDeps) {
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
