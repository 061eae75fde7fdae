import { runAssociationsDemo } from '../../cli/demo';

/** The demo's associations-mode part (npm run demo ends with it): what it prints and that it holds itself to it. */

describe('npm run demo: the associations-mode part', () => {
  it(`builds the twins, fails router-a over with one ReplaceRouteTableAssociation \
per association and no ReplaceRoute, and fails back`, async () => {
    const lines: string[] = [];
    const log = jest
      .spyOn(console, 'log')
      .mockImplementation((...args: unknown[]) => void lines.push(...args.map(String).join(' ').split('\n')));
    let ok: boolean;
    try {
      ok = await runAssociationsDemo(
        (t) => lines.push(`=== ${t}`),
        'arn:aws:sts::123456789012:assumed-role/NetOps/alice',
      );
    } finally {
      log.mockRestore();
    }
    const text = lines.join('\n');

    expect(ok).toBe(true);
    expect(text).toMatch(/^\$ route-failover prepare --group onprem-edge$/m);
    expect(text).toMatch(/^ {2}onprem-edge-ingress: twin for router-b rtb-[0-9a-f]+ created, 1 route\(s\)$/m);
    // Both runs: every subject moved, one call each, no route written.
    expect(text.match(/^Associations: 4 planned, 4 moved, 0 failed, 0 dry-run;/gm)).toHaveLength(2);
    expect(
      text.match(
        new RegExp(
          String.raw`^EC2 writes: ReplaceRouteTableAssociation 4, ReplaceRoute 0 \(one call per association, ` +
            String.raw`no route rewritten\)$`,
          'gm',
        ),
      ),
    ).toHaveLength(2);
    const failover = text.slice(text.indexOf('=== router-a stops'), text.indexOf('=== router-a repaired'));
    expect(failover).toMatch(/^ {2}igw-0+1 \(ingress\) +uses onprem-edge-ingress \(standby router-b\)$/m);
    expect(failover).toMatch(/^ {2}subnet-\S+ \(main table, implicit\) +uses main \(standby router-b\)$/m);
    expect(failover).toMatch(/^audit line: .* router-a → router-b +0 \+ 4 assoc +succeeded /m);
    const failback = text.slice(text.indexOf('=== router-a repaired'));
    expect(failback).toMatch(/^ {2}subnet-\S+ \(main table, implicit\) +uses main$/m);
    expect(failback).toMatch(/^audit line: .* router-b → router-a +0 \+ 4 assoc +succeeded /m);
    expect(text).not.toContain('undefined');
  });
});
