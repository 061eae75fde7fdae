import { runAddressesDemo } from '../../cli/demo-addresses';

/**
 * The demo's address part (npm run demo ends with it): a VPN router's Elastic IPs follow the failover and come back.
 */

it(`moves both Elastic IPs with the routes to router-b’s \
paired interfaces, verified, and back on failback`, async () => {
  const lines: string[] = [];
  const log = jest
    .spyOn(console, 'log')
    .mockImplementation((...args: unknown[]) => void lines.push(...args.map(String).join(' ').split('\n')));
  let ok: boolean;
  try {
    ok = await runAddressesDemo((t) => lines.push(`=== ${t}`), 'arn:aws:sts::123456789012:assumed-role/NetOps/alice');
  } finally {
    log.mockRestore();
  }
  const text = lines.join('\n');
  expect(ok).toBe(true);
  const failover = text.slice(text.indexOf('=== vpn router-a stops'), text.indexOf('=== vpn router-a repaired'));
  expect(failover).toMatch(/^ {2}198\.51\.100\.10 \(eipalloc-[0-9a-f]+\) {2}on router-b eth0 /m);
  expect(failover).toMatch(/^ {2}198\.51\.100\.11 \(eipalloc-[0-9a-f]+\) {2}on router-b eth1 /m);
  expect(failover).toMatch(
    /^ {2}moved +198\.51\.100\.10 .* eth0 +router-a eni-\S+ \S+ +router-b eni-\S+ \S+ +yes +1 /m,
  );
  expect(failover).toMatch(/^EC2 writes: ReplaceRoute 6, AssociateAddress 2$/m);
  const failback = text.slice(text.indexOf('=== vpn router-a repaired'));
  expect(failback).toMatch(/^ {2}198\.51\.100\.10 \(eipalloc-[0-9a-f]+\) {2}on router-a eth0 /m);
  expect(failback).toMatch(/^outcome: succeeded: .*addresses: 2 moved/m);
  expect(text).not.toContain('undefined');
});
