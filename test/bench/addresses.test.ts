/** The address benchmark runs the real workflow, verifies every address and switches them in exact virtual time. */
import { addressTable, runAddressCase } from '../../bench/addresses';

it.each([false, true])(
  'measures a switchover of the VPN pair (same zone: %s) by the workflow, in whole round trips of the latency',
  async (sameZone) => {
    const row = await runAddressCase({ sameZone, latencyMs: 50 });
    expect(row.outcome).toBe('succeeded');
    expect(row.record.list.every((a) => a.verified)).toBe(true);
    expect(row.record.invariant).toMatch(/all on vpn-b/);
    // Each address is written once: one AssociateAddress per Elastic IP that does not ride a secondary IP.
    expect(row.calls.AssociateAddress).toBe(2);
    expect(row.calls.AssignPrivateIpAddresses).toBe(sameZone ? 1 : undefined);
    // The addresses switch within a few round trips of the plan: the batch's fresh read, then the write.
    expect(row.addressesMs - row.plannedMs).toBeLessThanOrEqual(sameZone ? 250 : 150);
    expect(addressTable([row]).rows[0][9]).toBe('succeeded');
  },
);
