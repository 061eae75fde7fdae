import fc from 'fast-check';
import { soakProperty } from './property';

/**
 * The soak's fixed-seed budget in `npm test`: the same generated cases on every run (seed and count fixed),
 * every invariant of docs/soak.md checked after each. A violation fails with fast-check's shrunk case, its
 * seed and path; `npm run soak -- --seed S --path P` replays it. Wider runs: `npm run soak -- --runs N`.
 * The seed is one whose first RUNS cases reached D1 (docs/soak.md: a forged event confirmed by a member EC2 could
 * not describe for a moment) before its fix: case 1946 is its regression, beside the plain test in forged-triggers.
 */

const SEED = 20261206;
const RUNS = 2000;

describe('soak: generated estates and histories through the real workflow', () => {
  it(`holds every invariant over ${RUNS} cases (seed ${SEED}), \
and the cases reach every outcome and both modes`, async () => {
    const seen = new Map<string, number>();
    const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    await fc.assert(
      soakProperty({
        onCase: (c, _v, o) => {
          const record: any = o.first[0].result?.output ?? o.first[0].result?.auditRecord;
          count(`${c.estate.mode} ${record?.outcome}`);
          if (o.others.length > 0) count('other groups');
        },
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The budget is only worth its time if it switches, fails, rehearses and leaves things alone, in both modes.
    const wanted = [
      'routes succeeded',
      'associations succeeded',
      'routes noop',
      'associations noop',
      'routes failed',
      'routes dry-run',
      'associations dry-run',
      'other groups',
    ];
    expect(wanted.filter((k) => (seen.get(k) ?? 0) <= 10)).toEqual([]);
  }, 120_000);
});
