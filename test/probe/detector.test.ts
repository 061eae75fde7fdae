import {
  carryOver,
  type DetectorEvent,
  type DetectorState,
  emptyDetectorState,
  markDeclared,
  observeRound,
} from '../../functions/probe/detector';

/** The consecutive-failure detector, fed round by round: A = router-a, B = router-b. */

const THRESHOLD = 3;
const INTERVAL = 5000;
const T0 = Date.parse('2026-11-25T14:30:00Z');

/** Round outcomes as a string per member: 'u' up, 'd' down; e.g. feed({ A: 'uddd', B: 'uuuu' }). */
const feed = (
  rounds: Record<string, string>,
  opts: { state?: DetectorState; start?: number; threshold?: number } = {},
) => {
  const names = Object.keys(rounds);
  const length = rounds[names[0]].length;
  let state = opts.state ?? emptyDetectorState();
  const events: Array<DetectorEvent & { round: number }> = [];
  const allDown: boolean[] = [];
  for (let i = 0; i < length; i++) {
    const at = (opts.start ?? T0) + i * INTERVAL;
    const members = names.map((n) => ({
      member: n,
      ok: rounds[n][i] === 'u',
      error: rounds[n][i] === 'u' ? undefined : `${n} timeout #${i}`,
    }));
    const out = observeRound(state, { at, members }, opts.threshold ?? THRESHOLD);
    state = out.state;
    events.push(...out.events.map((e) => ({ ...e, round: i })));
    allDown.push(out.allMembersDown);
  }
  return { state, events, allDown, downs: events.filter((e) => e.type === 'member-down') };
};

describe('consecutive-failure detector', () => {
  it('declares a member down after exactly N consecutive failed rounds while its peer answers', () => {
    const { downs } = feed({ A: 'uuddd', B: 'uuuuu' });
    expect(downs).toEqual([
      {
        type: 'member-down',
        member: 'A',
        failedRounds: 3,
        failedWhilePeerUp: 3,
        firstFailureAt: T0 + 2 * INTERVAL,
        lastError: 'A timeout #4',
        round: 4,
      },
    ]);
  });

  it('does not declare at N-1 failed rounds', () => {
    expect(feed({ A: 'udd', B: 'uuu' }).downs).toEqual([]);
  });

  it('never declares a flapping member (fail, ok, fail, …), however long it flaps', () => {
    const { downs, state } = feed({ A: 'dudududududududududududd', B: 'uuuuuuuuuuuuuuuuuuuuuuuu' });
    expect(downs).toEqual([]);
    expect(state.members.A.failedRounds).toBe(2);
  });

  it('a success resets the count: d d u d d is not 4 failures', () => {
    expect(feed({ A: 'ddudd', B: 'uuuuu' }).downs).toEqual([]);
    // …but two more failures after that make 3 consecutive.
    expect(feed({ A: 'dduddd', B: 'uuuuuu' }).downs.map((d) => [d.member, d.round, d.firstFailureAt])).toEqual([
      ['A', 5, T0 + 3 * INTERVAL],
    ]);
  });

  it('declares once per failure, not every round after the threshold (once marked as started)', () => {
    let state = emptyDetectorState();
    const declared: number[] = [];
    for (let i = 0; i < 10; i++) {
      const out = observeRound(
        state,
        {
          at: T0 + i * INTERVAL,
          members: [
            { member: 'A', ok: false, error: 'x' },
            { member: 'B', ok: true },
          ],
        },
        THRESHOLD,
      );
      state = out.state;
      for (const e of out.events) {
        if (e.type === 'member-down') {
          declared.push(i);
          state = markDeclared(state, 'A', 'probe-g-A-1', T0 + i * INTERVAL);
        }
      }
    }
    expect(declared).toEqual([2]);
    expect(state.members.A.declared).toEqual({ executionName: 'probe-g-A-1', at: T0 + 2 * INTERVAL });
  });

  it('declares again, every round, until the start is recorded (a failed StartExecution is retried)', () => {
    expect(feed({ A: 'ddddd', B: 'uuuuu' }).downs.map((d) => d.round)).toEqual([2, 3, 4]);
  });

  it('a member that recovers and fails again is a new failure with a new start time', () => {
    let { state } = feed({ A: 'ddd', B: 'uuu' });
    state = markDeclared(state, 'A', 'first', T0);
    const again = feed({ A: 'uddd', B: 'uuuu' }, { state, start: T0 + 3 * INTERVAL });
    expect(again.events[0]).toEqual({
      type: 'member-recovered',
      member: 'A',
      failedRounds: 3,
      wasDeclared: true,
      round: 0,
    });
    expect(again.downs).toHaveLength(1);
    expect(again.downs[0].firstFailureAt).toBe(T0 + 4 * INTERVAL);
  });

  it('both members failing: one alert per episode, nobody declared', () => {
    const { downs, events, allDown } = feed({ A: 'uddddddd', B: 'uddddddd' });
    expect(downs).toEqual([]);
    const alerts = events.filter((e) => e.type === 'all-members-down');
    expect(alerts).toEqual([
      {
        type: 'all-members-down',
        members: [
          { member: 'A', failedRounds: 3, lastError: 'A timeout #3' },
          { member: 'B', failedRounds: 3, lastError: 'B timeout #3' },
        ],
        round: 3,
      },
    ]);
    // The condition (a metric each round) holds from the threshold on.
    expect(allDown).toEqual([false, false, false, true, true, true, true, true]);
  });

  it('a new all-down episode after someone answered alerts again', () => {
    const { events } = feed({ A: 'dddudddd', B: 'dddudddd' });
    expect(events.filter((e) => e.type === 'all-members-down').map((e) => e.round)).toEqual([2, 6]);
  });

  it('rounds in which every member failed are not counted (a probe-side outage) but do not end the streak', () => {
    // Round 1-2: probe-side outage (both fail). A then keeps failing while B answers: 3 more rounds needed.
    const { downs } = feed({ A: 'udddddd', B: 'uddduuu' });
    expect(downs.map((d) => [d.round, d.failedRounds, d.failedWhilePeerUp, d.firstFailureAt])).toEqual([
      [6, 6, 3, T0 + INTERVAL],
    ]);
  });

  it('a long probe-side outage that ends with B first does not declare A at once', () => {
    const { downs } = feed({ A: 'ddddddddddu', B: 'ddddddddduu' });
    expect(downs).toEqual([]);
  });

  it('A failing while B is already declared down: A is not declared (no peer answers), the pair alerts', () => {
    const first = feed({ A: 'uuu', B: 'ddd' });
    expect(first.downs.map((d) => [d.member, d.round])).toEqual([['B', 2]]);
    const state = markDeclared(first.state, 'B', 'probe-g-B-1', T0 + 2 * INTERVAL);
    const { events, downs } = feed({ A: 'uuddd', B: 'ddddd' }, { state, start: T0 + 3 * INTERVAL });
    expect(downs).toEqual([]);
    expect(events.filter((e) => e.type === 'all-members-down').map((e) => e.round)).toEqual([4]);
  });

  it('groups of more than two: a member is declared while any peer answers', () => {
    const { downs } = feed({ A: 'ddd', B: 'ddd', C: 'uuu' });
    expect(downs.map((d) => d.member)).toEqual(['A', 'B']);
  });

  it('takes the threshold from the settings', () => {
    expect(feed({ A: 'd', B: 'u' }, { threshold: 1 }).downs).toHaveLength(1);
    expect(feed({ A: 'ddddd', B: 'uuuuu' }, { threshold: 6 }).downs).toHaveLength(0);
  });

  it('does not mutate the state it is given', () => {
    const { state } = feed({ A: 'dd', B: 'uu' });
    const copy = structuredClone(state);
    observeRound(
      state,
      {
        at: T0 + 60_000,
        members: [
          { member: 'A', ok: false },
          { member: 'B', ok: true },
        ],
      },
      THRESHOLD,
    );
    markDeclared(state, 'A', 'x', 0);
    expect(state).toEqual(copy);
  });
});

describe('carryOver: counts across invocations', () => {
  it('nothing carried: a fresh detector', () => {
    expect(carryOver(undefined, T0, 25_000)).toEqual(emptyDetectorState());
  });

  it('N rounds spanning two invocations: 2 failed rounds at the end of one minute + 1 at the start of the next', () => {
    const first = feed({ A: 'uuuuuuuuuudd', B: 'uuuuuuuuuuuu' });
    expect(first.downs).toEqual([]);
    const lastRoundAt = T0 + 11 * INTERVAL;
    // The next invocation's first round: one interval plus a few seconds of EventBridge delay later.
    const nextStart = lastRoundAt + INTERVAL + 3000;
    const state = carryOver(first.state, nextStart, 25_000);
    expect(state).toBe(first.state);
    const second = feed({ A: 'd', B: 'u' }, { state, start: nextStart });
    expect(second.downs).toEqual([
      expect.objectContaining({ member: 'A', failedRounds: 3, firstFailureAt: T0 + 10 * INTERVAL }),
    ]);
  });

  it('after a gap longer than allowed, undeclared streaks restart (a recovery may have been missed)', () => {
    const first = feed({ A: 'dd', B: 'uu' });
    const state = carryOver(first.state, T0 + INTERVAL + 60_000, 25_000);
    expect(state.members).toEqual({});
    expect(feed({ A: 'd', B: 'u' }, { state, start: T0 + 70_000 }).downs).toEqual([]);
  });

  it('after a long gap a declared member stays declared: a member still down is not failed over twice', () => {
    const first = feed({ A: 'ddd', B: 'uuu' });
    const declared = markDeclared(first.state, 'A', 'probe-g-A-1795617000', T0 + 2 * INTERVAL);
    const state = carryOver(declared, T0 + 5 * 60_000, 25_000);
    expect(state.members.A.declared?.executionName).toBe('probe-g-A-1795617000');
    expect(feed({ A: 'ddddd', B: 'uuuuu' }, { state, start: T0 + 5 * 60_000 }).downs).toEqual([]);
  });
});
