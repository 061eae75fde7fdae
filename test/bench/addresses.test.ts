/** The address benchmark runs, verifies every address and finds the clause holding, in exact virtual time. */
import { addressTable, runAddressCase } from '../../bench/addresses';

it.each([false, true])(
  'measures a failover of the VPN pair (same zone: %s) in whole round trips of the latency',
  async (sameZone) => {
    const row = await runAddressCase({ sameZone, latencyMs: 50 });
    expect(row.run.verdicts.every((v) => v.status === 'verified')).toBe(true);
    expect(row.run.invariant.findings).toEqual([]);
    // Plan (1 round trip, 2 with secondary IPs), writes (1, 2 with secondary IPs: they go first), read-back (1).
    expect(row.run.verifiedMs).toBe(sameZone ? 250 : 150);
    expect(addressTable([row]).rows[0][8]).toBe('holds');
  },
);
