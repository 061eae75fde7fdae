import fc from 'fast-check';
import { agreement, type Claim, claimStands, type LocationView, type ProbeItem } from '../../functions/probe/agreement';
import { InMemoryProbeState, parseProbeItem } from '../../functions/probe/probe-state';

/** Agreement between probe locations (pure), and the claim's conditional write (in-memory store as DynamoDB). */

const NOW = Date.parse('2026-11-25T14:30:30Z');
const LIVE = { livenessMs: 5000, minLocations: 2 };

const view = (location: string, o: Partial<LocationView> = {}): LocationView => ({
  location,
  slot: `${location}#0`,
  startedAt: NOW - 30_000,
  at: NOW - 100,
  down: {},
  lastUp: {},
  ...o,
});
const item = (...views: LocationView[]): ProbeItem => ({ views, claims: {} });

describe('agreement between locations', () => {
  it(`every live location has the member down: agreed, dated \
by the earliest streak start, naming the locations`, () => {
    const a = agreement(
      item(view('az-a', { down: { A: NOW - 1500 } }), view('az-b', { down: { A: NOW - 1200 } })),
      'A',
      NOW,
      LIVE,
    );
    expect(a).toEqual({ agreed: true, member: 'A', firstFailureAt: NOW - 1500, locations: ['az-a', 'az-b'] });
  });

  it('one live location that does not have it down blocks the failover', () => {
    const a = agreement(
      item(view('az-a', { down: { A: NOW - 1500 } }), view('az-b', { lastUp: { A: NOW - 100 } })),
      'A',
      NOW,
      LIVE,
    );
    expect(a).toMatchObject({ agreed: false, reason: 'not down at az-b' });
  });

  it(`a location whose view is older than livenessMs is not live; \
with minLocations 2 one survivor cannot decide, with 1 it can`, () => {
    const views = item(view('az-a', { down: { A: NOW - 1500 } }), view('az-b', { at: NOW - 5001 }));
    expect(agreement(views, 'A', NOW, LIVE)).toMatchObject({
      agreed: false,
      reason: '1 live location(s), 2 must agree',
      liveLocations: ['az-a'],
    });
    expect(agreement(views, 'A', NOW, { ...LIVE, minLocations: 1 })).toMatchObject({
      agreed: true,
      locations: ['az-a'],
    });
  });

  it('two invocations of one location (a hand-over): the location has the member down if either has', () => {
    const fresh = view('az-b', { slot: 'az-b#1', startedAt: NOW - 800, lastUp: {} });
    const a = agreement(
      item(view('az-a', { down: { A: NOW - 1500 } }), view('az-b', { down: { A: NOW - 1300 } }), fresh),
      'A',
      NOW,
      LIVE,
    );
    expect(a).toMatchObject({ agreed: true, locations: ['az-a', 'az-b'] });
  });

  it('no live view at all: nothing agreed', () => {
    expect(agreement(item(), 'A', NOW, { ...LIVE, minLocations: 1 })).toMatchObject({ agreed: false });
  });

  it('generated: agreed exactly when every live location has it down and enough are live', () => {
    const arbView = fc.record({
      location: fc.constantFrom('az-a', 'az-b', 'az-c'),
      age: fc.integer({ min: 0, max: 10_000 }),
      down: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbView, { maxLength: 6 }), fc.integer({ min: 1, max: 3 }), (vs, minLocations) => {
        const views = vs.map((v, i) =>
          view(v.location, { slot: `${v.location}#${i}`, at: NOW - v.age, down: v.down ? { A: NOW - 2000 } : {} }),
        );
        const live = vs.filter((v) => v.age <= LIVE.livenessMs);
        const locations = new Set(live.map((v) => v.location));
        const expected =
          locations.size >= minLocations && [...locations].every((l) => live.some((v) => v.location === l && v.down));
        expect(agreement(item(...views), 'A', NOW, { livenessMs: LIVE.livenessMs, minLocations }).agreed).toBe(
          expected,
        );
      }),
    );
  });
});

describe('claims', () => {
  const claim: Claim = {
    member: 'A',
    executionName: 'probe-g-A-1',
    at: NOW - 1000,
    firstFailureAt: NOW - 2500,
    locations: ['az-a', 'az-b'],
  };

  it('a claim stands until a live location has seen the member answer after it', () => {
    expect(claimStands(claim, item(view('az-a', { lastUp: { A: NOW - 5000 } })), NOW, 5000)).toBe(true);
    expect(claimStands(claim, item(view('az-a', { lastUp: { A: NOW - 500 } })), NOW, 5000)).toBe(false);
    // A view that saw it answer but is no longer live does not end the claim.
    expect(claimStands(claim, item(view('az-a', { at: NOW - 6000, lastUp: { A: NOW - 6500 } })), NOW, 5000)).toBe(true);
    expect(claimStands(undefined, item(), NOW, 5000)).toBe(false);
  });

  it(`the first claim wins; a later one gets the winner \
back; a stale claim is replaced only by whoever read it`, async () => {
    const store = new InMemoryProbeState();
    expect(await store.claim('g', claim, undefined)).toEqual(claim);
    const late = { ...claim, executionName: 'probe-g-A-2', at: NOW };
    expect(await store.claim('g', late, undefined)).toEqual(claim);
    const next = { ...claim, executionName: 'probe-g-A-3', at: NOW + 60_000 };
    expect(await store.claim('g', next, claim)).toEqual(next);
    expect(await store.claim('g', { ...next, executionName: 'probe-g-A-4' }, claim)).toEqual(next);
    expect((await store.read('g')).claims.A).toEqual(next);
  });

  it('the stored item ignores attributes that are not what the probe writes', () => {
    const parsed = parseProbeItem({
      group: { S: 'probe#g' },
      'v:x#0': { S: '{not json' },
      'v:y#0': { S: JSON.stringify({ location: 'y' }) },
      'v:z#0': { S: JSON.stringify(view('z')) },
      'c:A': { S: JSON.stringify(claim) },
    });
    expect(parsed).toEqual({ views: [view('z')], claims: { A: claim } });
  });
});
