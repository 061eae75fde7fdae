import { guardCallsPerPass } from '../../bench/guard';

describe('the guard pass reads EC2 by table page, not by route (bench/guard.ts)', () => {
  it(`16, 500 and 2,000 routes: DescribeInstances and DescribeInstanceStatus once, DescribeRouteTables once per 100 \
tables (twice more for a tag scope), no write`, async () => {
    const rows = [];
    for (const routes of [16, 500, 2000])
      for (const scope of ['vpc', 'tag'] as const) rows.push(await guardCallsPerPass(routes, scope));
    expect(rows.map((r) => [r.routes, r.scope, r.total, r.calls.DescribeRouteTables])).toEqual([
      [16, 'vpc', 3, 1],
      [16, 'tag', 5, 3],
      [500, 'vpc', 3, 1],
      [500, 'tag', 5, 3],
      // 200 tables and the main one: two pages of DescribeRouteTables (100 tables each) per read.
      [2000, 'vpc', 4, 2],
      [2000, 'tag', 7, 5],
    ]);
    for (const r of rows)
      expect(Object.keys(r.calls).sort()).toEqual([
        'DescribeInstanceStatus',
        'DescribeInstances',
        'DescribeRouteTables',
      ]);
  });
});
