import fc from 'fast-check';
import {
  type DetectorEvent,
  type DetectorState,
  downMembers,
  emptyDetectorState,
  lastUpTimes,
  markDeclared,
  observeRound,
} from '../../functions/probe/detector';

/** One location's detector, fed round by round: A = router-a, B = router-b. */

const INTERVAL = 250;
const DOWN_AFTER = 1000;
const T0 = Date.parse('2026-11-25T14:30:00Z');

/** Round outcomes as a string per member: 'u' up, 'd' down; e.g. feed({ A: 'uddd', B: 'uuuu' }). */
const feed = (
  rounds: Record<string, string>,
  opts: { state?: DetectorState; start?: number; downAfter?: number; interval?: number } = {},
) => {
  const names = Object.keys(rounds);
  const length = rounds[names[0]].length;
  let state = opts.state ?? emptyDetectorState();
  const events: Array<DetectorEvent & { round: number }> = [];
  const allDown: boolean[] = [];
  for (let i = 0; i < length; i++) {
    const at = (opts.start ?? T0) + i * (opts.interval ?? INTERVAL);
    const members = names.map((n) => ({
      member: n,
      ok: rounds[n][i] === 'u',
      error: rounds[n][i] === 'u' ? undefined : `${n} timeout #${i}`,
    }));
    const out = observeRound(state, { at, members }, opts.downAfter ?? DOWN_AFTER);
    state = out.state;
    events.push(...out.events.map((e) => ({ ...e, round: i })));
    allDown.push(out.allMembersDown);
  }
  return { state, events, allDown, downs: events.filter((e) => e.type === 'member-down') };
};

describe('time-window detector', () => {
  it(`declares a member down when its failed rounds, a peer \
answering, span downAfterMs (5 rounds at 250 ms for 1 s)`, () => {
    const { downs, state } = feed({ A: 'uddddd', B: 'uuuuuu' });
    expect(downs).toEqual([
      expect.objectContaining({
        type: 'member-down',
        member: 'A',
        failedRounds: 5,
        spanMs: 1000,
        firstFailureAt: T0 + INTERVAL,
        round: 5,
      }),
    ]);
    expect(downMembers(state)).toEqual({ A: T0 + INTERVAL });
  });

  it('does not declare a span one round short of downAfterMs', () => {
    expect(feed({ A: 'udddd', B: 'uuuuu' }).downs).toEqual([]);
  });

  it('never declares a flapping member (fail, ok, fail, …), however long it flaps', () => {
    expect(feed({ A: 'dudududududududududu', B: 'uuuuuuuuuuuuuuuuuuuu' }).downs).toEqual([]);
  });

  it('declares once per streak; a recovery resets the track and reports it; a new streak is a new failure', () => {
    const first = feed({ A: 'dddddddd', B: 'uuuuuuuu' });
    expect(first.downs).toHaveLength(1);
    const again = feed({ A: 'udddddd', B: 'uuuuuuu' }, { state: first.state, start: T0 + 8 * INTERVAL });
    expect(again.events[0]).toMatchObject({ type: 'member-recovered', member: 'A', wasDown: true, wasDeclared: false });
    expect(again.downs).toEqual([expect.objectContaining({ firstFailureAt: T0 + 9 * INTERVAL })]);
  });

  it('keeps the declared execution across rounds of the same streak, and drops it on recovery', () => {
    const { state } = feed({ A: 'dddddd', B: 'uuuuuu' });
    const marked = markDeclared(state, 'A', 'probe-x', T0);
    const later = feed({ A: 'dd', B: 'uu' }, { state: marked, start: T0 + 6 * INTERVAL });
    expect(later.state.members.A.declared).toEqual({ executionName: 'probe-x', at: T0 });
    expect(feed({ A: 'u', B: 'u' }, { state: later.state }).state.members.A.declared).toBeUndefined();
  });

  it('every member failing: one alert per episode, nobody declared (a probe-side problem looks like this)', () => {
    const { downs, events, allDown } = feed({ A: 'dddddddddd', B: 'dddddddddd' });
    expect(downs).toEqual([]);
    expect(events.filter((e) => e.type === 'all-members-down')).toHaveLength(1);
    expect(allDown.slice(0, 4)).toEqual([false, false, false, false]);
    expect(allDown.slice(4)).toEqual([true, true, true, true, true, true]);
  });

  it('rounds in which every member failed are not counted, nor end the streak', () => {
    // A fails throughout; B fails in rounds 2-5: A's counted rounds are 0, 1, 6, 7 → span 7 × 250 ms.
    const r = feed({ A: 'dddddddd', B: 'uuddddu' + 'u' });
    expect(r.downs).toEqual([expect.objectContaining({ member: 'A', round: 6, spanMs: 6 * INTERVAL })]);
  });

  it('a long probe-side outage that ends with B first does not declare A at once', () => {
    expect(feed({ A: 'ddddddddddd', B: 'ddddddddddu' }).downs).toEqual([]);
  });

  it('groups of more than two: a member is declared while any peer answers', () => {
    expect(feed({ A: 'dddddd', B: 'dddddd', C: 'uuuuuu' }).downs.map((d) => (d as { member: string }).member)).toEqual([
      'A',
      'B',
    ]);
  });

  it('publishes when each member last answered', () => {
    expect(lastUpTimes(feed({ A: 'uud', B: 'uuu' }).state)).toEqual({ A: T0 + INTERVAL, B: T0 + 2 * INTERVAL });
  });

  it('does not mutate the state it is given', () => {
    const { state } = feed({ A: 'ddd', B: 'uuu' });
    const copy = structuredClone(state);
    feed({ A: 'ddd', B: 'uuu' }, { state });
    expect(state).toEqual(copy);
  });
});

/**
 * The thresholds as properties: a location probes every intervalMs at a random phase and with random jitter
 * (a round sent late, never early); a round fails when it is sent while the member is out. For any settings,
 * phase and jitter: an outage shorter than downAfterMs is never declared, and one of at least downAfterMs +
 * intervalMs + the largest lateness is always declared before the outage ends.
 */
describe('time-window detector: outage length against downAfterMs (generated)', () => {
  const simulate = (o: {
    interval: number;
    downAfter: number;
    phase: number;
    lateness: number[];
    outageStart: number;
    outage: number;
  }) => {
    let state = emptyDetectorState();
    let declaredAt: number | undefined;
    const end = o.outageStart + o.outage + 3 * o.downAfter + 10 * o.interval;
    for (let k = 0, slot = o.phase % o.interval; slot < end; k++, slot += o.interval) {
      const at = slot + o.lateness[k % o.lateness.length];
      const out = o.outageStart <= at && at < o.outageStart + o.outage;
      const r = observeRound(
        state,
        {
          at,
          members: [
            { member: 'A', ok: !out },
            { member: 'B', ok: true },
          ],
        },
        o.downAfter,
      );
      state = r.state;
      if (declaredAt === undefined && r.events.some((e) => e.type === 'member-down')) declaredAt = at;
    }
    return declaredAt;
  };
  const settings = fc.record({
    interval: fc.integer({ min: 100, max: 1000 }),
    downAfterRounds: fc.integer({ min: 1, max: 10 }),
    phase: fc.integer({ min: 0, max: 999 }),
    lateness: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 16 }),
    outageStart: fc.integer({ min: 0, max: 5000 }),
  });

  it('an outage shorter than downAfterMs never fails over', () => {
    fc.assert(
      fc.property(settings, fc.double({ min: 0, max: 0.999999, noNaN: true }), (s, share) => {
        const downAfter = s.downAfterRounds * s.interval;
        const outage = share * downAfter;
        expect(simulate({ ...s, downAfter, outage })).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('rounds on time: an outage longer than downAfterMs + intervalMs always fails over, while it lasts', () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 0, max: 5000 }), (s, extra) => {
        const downAfter = s.downAfterRounds * s.interval;
        const outage = downAfter + s.interval + 1 + extra;
        const at = simulate({ ...s, lateness: [0], downAfter, outage });
        expect(at).toBeDefined();
        expect(at!).toBeLessThan(s.outageStart + outage);
      }),
      { numRuns: 500 },
    );
  });

  it(`rounds late by up to L: an outage longer than downAfterMs \
+ 2 × intervalMs + L always fails over, while it lasts`, () => {
    fc.assert(
      fc.property(settings, fc.integer({ min: 0, max: 5000 }), (s, extra) => {
        const downAfter = s.downAfterRounds * s.interval;
        const outage = downAfter + 2 * s.interval + Math.max(...s.lateness) + 1 + extra;
        const at = simulate({ ...s, downAfter, outage });
        expect(at).toBeDefined();
        expect(at!).toBeLessThan(s.outageStart + outage);
      }),
      { numRuns: 500 },
    );
  });

  it(`with the defaults (250 ms, 1 s): under 1 s never, over \
2 s always, whatever the phase and up to 60 ms lateness`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 249 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 2001, max: 10_000 }),
        (phase, lateness, short, long) => {
          const base = { interval: 250, downAfter: 1000, phase, lateness, outageStart: 1000 };
          expect(simulate({ ...base, outage: short })).toBeUndefined();
          expect(simulate({ ...base, outage: long })).toBeDefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});
