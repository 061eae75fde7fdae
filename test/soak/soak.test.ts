import fc from 'fast-check';
import { soakProperty } from './property';

/**
 * The soak's fixed-seed budget in `npm test`: the same generated cases on every run (seed and count fixed),
 * every invariant of docs/soak.md checked after each. A violation fails with fast-check's shrunk case, its
 * seed and path; `npm run soak -- --runs N --seed S --path P` replays it. Wider runs: `npm run soak`.
 */

const SEED = 20261206;
const RUNS = 3000;

describe('soak: generated estates and histories through the real workflow', () => {
  it(`holds every invariant over ${RUNS} cases (seed ${SEED})`, async () => {
    let ran = 0;
    await fc.assert(
      soakProperty({ onCase: () => void ran++ }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(ran).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);
});
