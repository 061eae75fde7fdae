import { writeBatch, type SwitchWriterDeps } from '../../functions/aws/paced-writer';
import { associationSwitch } from '../../functions/aws/association-switch';
import { routeSwitch } from '../../functions/aws/route-switch';
import {
  pacerItemKey,
  WRITE_ACTION_PACE,
  type Ec2WriteAction,
  type ItemOutcome,
  type SwitchStrategy,
} from '../../functions/domain/switch-strategy';
import { Ec2ThrottledError, Ec2TransientError } from '../../functions/contract/errors';
import { InMemoryWritePacer } from '../../functions/domain/pacer';
import { ASSOCIATION_PACER_ITEM_KEY, PACER_ITEM_KEY } from '../../functions/aws/dynamodb-pacer';

/**
 * The one paced writer, driven by a kind that only records what it is asked: the flow every kind shares
 * (prepare, one reservation from the pacer of the kind's EC2 action, write, settle, summarize) is proven once
 * here, for each EC2 action a kind can write with.
 */
type Item = { name: string; answer: 'ok' | 'throttled-once' | 'gone' | 'refused' | 'throttled' };
type Input = { dryRun: boolean; items: Item[]; settled?: Array<ItemOutcome | undefined> };

const fakeKind = (
  action: Ec2WriteAction,
  sent: string[],
): SwitchStrategy<Input, Item, ItemOutcome, { outcomes: ItemOutcome[]; switched: boolean[] }, SwitchWriterDeps> => {
  const seen = new Set<string>();
  return {
    kind: 'routes',
    action: () => action,
    prepare: async (input) => ({ items: input.items, settled: input.settled ?? [], budgetMs: 10_000 }),
    write: async (item) => {
      sent.push(item.name);
      const fail = (code: string) => Object.assign(new Error(code), { name: code, Code: code });
      if (item.answer === 'gone') throw fail('NotFound');
      if (item.answer === 'refused') throw fail('UnauthorizedOperation');
      if (item.answer === 'throttled') throw fail('RequestLimitExceeded');
      if (item.answer === 'throttled-once' && !seen.has(item.name)) {
        seen.add(item.name);
        throw fail('RequestLimitExceeded');
      }
    },
    written: (a) => ({ st: 'done', a }),
    settledBy: (err, a) => ((err as Error).name === 'NotFound' ? { st: 'gone', a } : undefined),
    switched: (o) => o.st === 'done',
    describe: (item) => `${action} ${item.name}`,
    refusedTurns: (_input, n) => `${action} pacer: ${n} turn(s) refused`,
    summarize: (_input, outcomes, _at, switchedAt) => ({
      outcomes,
      switched: outcomes.map((_, i) => switchedAt[i] !== undefined),
    }),
  };
};

const deps = (pacers: SwitchWriterDeps['pacers']): SwitchWriterDeps => ({
  pacers,
  sleep: async () => undefined,
  random: () => 0,
  retry: { attempts: 3, baseMs: 1, maxMs: 1 },
});

describe.each(Object.keys(WRITE_ACTION_PACE) as Ec2WriteAction[])(
  'the paced writer, for a kind that writes with %s',
  (action) => {
    const other = (Object.keys(WRITE_ACTION_PACE) as Ec2WriteAction[]).find((a) => a !== action)!;
    const pacers = () => ({
      [action]: new InMemoryWritePacer(WRITE_ACTION_PACE[action]),
      [other]: new InMemoryWritePacer(WRITE_ACTION_PACE[other]),
    });

    it("draws every call, first attempts and retries, from that action's pacer only", async () => {
      const p = pacers();
      const sent: string[] = [];
      const out = await writeBatch(
        fakeKind(action, sent),
        {
          dryRun: false,
          items: [
            { name: 'a', answer: 'ok' },
            { name: 'b', answer: 'throttled-once' },
          ],
        },
        deps(p),
      );
      expect(out.outcomes).toEqual([
        { st: 'done', a: 1 },
        { st: 'done', a: 2 },
      ]);
      expect(sent.sort()).toEqual(['a', 'b', 'b']);
      expect(p[action].stats).toEqual({ reserved: 3, refused: 0, throttled: 1 });
      expect(p[other].stats).toEqual({ reserved: 0, refused: 0, throttled: 0 });
    });

    it(`writes nothing the read settled, records switch \
times only for what changed, and keeps batch order`, async () => {
      const sent: string[] = [];
      const input: Input = {
        dryRun: false,
        items: [
          { name: 'a', answer: 'ok' },
          { name: 'b', answer: 'ok' },
          { name: 'c', answer: 'gone' },
          { name: 'd', answer: 'refused' },
        ],
        settled: [undefined, { st: 'already-on-target' }],
      };
      const out = await writeBatch(fakeKind(action, sent), input, deps(pacers()));
      expect(sent.sort()).toEqual(['a', 'c', 'd']);
      expect(out.outcomes.map((o) => o.st)).toEqual(['done', 'already-on-target', 'gone', 'failed']);
      expect(out.outcomes[3].e).toMatch(/UnauthorizedOperation/);
      expect(out.switched).toEqual([true, false, false, false]);
    });

    it('refuses the batch, sending nothing, when its turns do not come within the budget', async () => {
      const sent: string[] = [];
      const tiny = { [action]: new InMemoryWritePacer({ burst: 1, refillPerSecond: 0.001 }) };
      const run = writeBatch(
        fakeKind(action, sent),
        {
          dryRun: false,
          items: [
            { name: 'a', answer: 'ok' },
            { name: 'b', answer: 'ok' },
          ],
        },
        deps(tiny),
      );
      await expect(run).rejects.toThrow(new Ec2ThrottledError(`${action} pacer: 2 turn(s) refused`));
      expect(sent).toEqual([]);
    });

    it(`settles every item, then surfaces what is still \
throttled for the state machine to retry the batch`, async () => {
      const sent: string[] = [];
      const run = writeBatch(
        fakeKind(action, sent),
        {
          dryRun: false,
          items: [
            { name: 'a', answer: 'ok' },
            { name: 'b', answer: 'throttled' },
          ],
        },
        deps(pacers()),
      );
      await expect(run).rejects.toBeInstanceOf(Ec2ThrottledError);
      await expect(run).rejects.not.toBeInstanceOf(Ec2TransientError);
      expect(sent.filter((s) => s === 'a')).toEqual(['a']);
      expect(sent.filter((s) => s === 'b')).toHaveLength(3);
    });
  },
);

describe('the kinds of switch', () => {
  it.each([
    [routeSwitch, 'routes', 'ReplaceRoute', PACER_ITEM_KEY],
    [associationSwitch, 'associations', 'ReplaceRouteTableAssociation', ASSOCIATION_PACER_ITEM_KEY],
  ] as const)(
    '%#: each names its mode and the EC2 action whose bucket (and pacer item) paces it',
    (kind, mode, action, item) => {
      expect(kind.kind).toBe(mode);
      expect(kind.action({} as never)).toBe(action);
      expect(pacerItemKey(kind.action({} as never))).toBe(item);
    },
  );
});
