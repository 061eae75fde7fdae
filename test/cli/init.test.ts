import { parseConfigJson } from '../../functions/contract/config';
import { SimulatedVpc } from '../../sim';
import { cliHarness } from './helpers';

/**
 * route-failover init against the simulated VPC (a real EC2Client subclass: EC2's filters, pagination and
 * error codes): it finds the members' interfaces and the route tables with routes to them, and prints a
 * config the schema accepts.
 */

const TAG = { 'route-failover:group': 'edge' };

/** Two routers with two interfaces each, and route tables: `routed` with routes to router-a's interfaces. */
const estate = (opts: { routed?: Array<Record<string, string>>; others?: number; sourceDestCheck?: boolean } = {}) => {
  const sim = new SimulatedVpc({ seed: 11 });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const router = (name: string, az: string) => {
    const id = sim.addInstance({ vpcId, availabilityZone: `us-east-1${az}`, tags: { Name: name } });
    const enis = [0, 1].map((deviceIndex) =>
      sim.addNetworkInterface({ vpcId, instanceId: id, deviceIndex, sourceDestCheck: opts.sourceDestCheck ?? false }),
    );
    return { id, enis };
  };
  const a = router('router-a', 'a');
  const b = router('router-b', 'b');
  // Tables without member routes (created first, so the routed ones come late in the pages).
  const others = Array.from({ length: opts.others ?? 1 }, () => {
    const rtb = sim.addRouteTable({ vpcId });
    sim.addRoute(rtb, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0' });
    return rtb;
  });
  const routed = (opts.routed ?? [TAG, TAG]).map((tags, n) => {
    const rtb = sim.addRouteTable({ vpcId, tags: { ...tags, Name: `private-${n}` } });
    sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: a.enis[0] });
    sim.addRoute(rtb, { DestinationIpv6CidrBlock: 'fd00:10::/48', NetworkInterfaceId: a.enis[1] });
    return rtb;
  });
  const h = cliHarness({ ec2: sim.ec2() });
  return { sim, vpcId, a, b, routed, others, h };
};

const initArgs = (vpcId: string, ...members: string[]) => [
  'init',
  '--vpc',
  vpcId,
  ...members.flatMap((m) => ['--member', m]),
  '--group',
  'edge',
];

describe('init: a config from EC2', () => {
  it('members by ID and by Name tag; tables sharing a tag exactly become a tag scope; the config parses', async () => {
    const { vpcId, a, b, h } = estate();

    const r = await h.run(initArgs(vpcId, `router-a=${a.id}`, 'router-b'));

    expect(r.code).toBe(0);
    const config = parseConfigJson(r.stdout, 'init output');
    expect(JSON.parse(r.stdout)).toEqual({
      groups: [
        {
          name: 'edge',
          vpcId,
          members: [
            { name: 'router-a', instanceId: a.id },
            { name: 'router-b', instanceId: b.id },
          ],
          preferred: 'router-a',
          routeTables: { tag: { key: 'route-failover:group', value: 'edge' } },
        },
      ],
    });
    expect(config.groups[0].maxConcurrency).toBe(10);
    expect(r.stderr).toContain('route tables: 2 of 3 have routes to the members; scope: tag route-failover:group=edge');
    expect(r.stderr).toMatch(
      new RegExp(`router-a  ${a.id}  running  us-east-1a  4 routes  ${a.enis[0]} \\(eth0\\), ${a.enis[1]} \\(eth1\\)`),
    );
    expect(r.stderr).not.toMatch(/warning/);
  });

  it('no tag shared by exactly those tables: the scope lists their IDs, sorted', async () => {
    // The second routed table lacks the tag, and an unrouted table carries it: neither tag would be exact.
    const { sim, vpcId, a, routed, h } = estate({ routed: [TAG, {}] });
    sim.addRouteTable({ vpcId, tags: TAG });

    const r = await h.run(initArgs(vpcId, `router-a=${a.id}`, 'router-b'));

    expect(r.code).toBe(0);
    expect(parseConfigJson(r.stdout).groups[0].routeTables).toEqual({ ids: [...routed].sort() });
    expect(r.stderr).toMatch(/scope: the 2 route table\(s\) with routes to the members, by ID/);
  });

  it(`reads every page of DescribeRouteTables, filtered \
by VPC (routes are matched to interfaces in code)`, async () => {
    const { sim, vpcId, a, b, routed, h } = estate({ others: 230, routed: [{}] });

    const r = await h.run(initArgs(vpcId, `router-a=${a.id}`, `router-b=${b.id}`));

    expect(r.code).toBe(0);
    expect(parseConfigJson(r.stdout).groups[0].routeTables).toEqual({ ids: routed });
    const reads = sim.calls.filter((c) => c.action === 'DescribeRouteTables');
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const c of reads) expect((c.input as any).Filters).toEqual([{ Name: 'vpc-id', Values: [vpcId] }]);
    expect(r.stderr).toContain('route tables: 1 of 231 have routes');
    expect(sim.calls.every((c) => c.action.startsWith('Describe'))).toBe(true);
  });

  it('no route to the members yet: whole VPC, said on stderr; source/destination check on is a warning', async () => {
    const { vpcId, a, b, h } = estate({ routed: [], sourceDestCheck: true });

    const r = await h.run(initArgs(vpcId, `router-a=${a.id}`, `router-b=${b.id}`));

    expect(r.code).toBe(0);
    const group = JSON.parse(r.stdout).groups[0];
    expect(group.routeTables).toBeUndefined();
    expect(group.preferred).toBeUndefined();
    expect(r.stderr).toMatch(/warning: no route table of vpc-\S+ has a route to the members' interfaces/);
    expect(r.stderr).toMatch(/warning: router-a \(i-\S+\): source\/destination check is on for eni-\S+, eni-\S+/);
  });

  it.each([
    [
      'an unknown Name tag',
      (e: ReturnType<typeof estate>) => initArgs(e.vpcId, `router-a=${e.a.id}`, 'router-z'),
      /--member router-z: no instance in vpc-\S+ has the Name tag "router-z"/,
    ],
    [
      'an unknown instance',
      (e: ReturnType<typeof estate>) => initArgs(e.vpcId, `router-a=${e.a.id}`, 'router-b=i-0123456789abcdef9'),
      /instance not found \(or terminated\): router-b \(i-0123456789abcdef9\)/,
    ],
    [
      'one member',
      (e: ReturnType<typeof estate>) => initArgs(e.vpcId, `router-a=${e.a.id}`),
      /init needs at least two --member NAME\[=INSTANCE\] \(got 1\)/,
    ],
    [
      'no --vpc',
      (e: ReturnType<typeof estate>) => ['init', '--member', `router-a=${e.a.id}`, '--member', 'router-b'],
      /init needs --vpc VPC/,
    ],
    [
      'a bad member value',
      (e: ReturnType<typeof estate>) => initArgs(e.vpcId, 'router-a=eni-0123', 'router-b'),
      /--member "router-a=eni-0123": "eni-0123" is not an instance ID/,
    ],
    [
      'a name given twice',
      (e: ReturnType<typeof estate>) => initArgs(e.vpcId, `router-a=${e.a.id}`, 'router-a'),
      /--member: "router-a" is given twice/,
    ],
    [
      '--preferred not a member',
      (e: ReturnType<typeof estate>) => [
        ...initArgs(e.vpcId, `router-a=${e.a.id}`, 'router-b'),
        '--preferred',
        'router-c',
      ],
      /--preferred router-c is not one of the members/,
    ],
    [
      'a bad group name',
      (e: ReturnType<typeof estate>) => [...initArgs(e.vpcId, `router-a=${e.a.id}`, 'router-b'), '--group', 'my group'],
      /groups\[0\]\.name/,
    ],
  ])('%s is refused: exit 2, nothing on stdout', async (_what, args, message) => {
    const e = estate();
    const r = await e.h.run(args(e));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a member in another VPC, or a Name tag on two instances, is refused', async () => {
    const e = estate();
    const otherVpc = e.sim.addVpc({ cidr: '10.9.0.0/16' });
    const stray = e.sim.addInstance({ vpcId: otherVpc, availabilityZone: 'us-east-1a' });
    e.sim.addInstance({ vpcId: e.vpcId, availabilityZone: 'us-east-1c', tags: { Name: 'router-b' } });

    const r1 = await e.h.run(initArgs(e.vpcId, `router-a=${e.a.id}`, `router-b=${stray}`));
    const r2 = await e.h.run(initArgs(e.vpcId, `router-a=${e.a.id}`, 'router-b'));

    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`--member router-b=${stray}: the instance is in ${otherVpc}, not ${e.vpcId}`);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(
      new RegExp(
        String.raw`--member router-b: 2 instances in vpc-\S+ have the Name tag "router-b" \(i-\S+, i-\S+\): ` +
          `give one as router-b=i-…`,
      ),
    );
  });

  it(`--switch-mode associations is written into the group \
(the config parses with it); an unknown mode is refused`, async () => {
    const { vpcId, a, h } = estate();

    const r = await h.run([...initArgs(vpcId, `router-a=${a.id}`, 'router-b'), '--switch-mode', 'associations']);

    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).groups[0].switchMode).toBe('associations');
    expect(parseConfigJson(r.stdout, 'init output').groups[0].switchMode).toBe('associations');
    expect(r.stderr).toContain('switch mode: associations');
    expect(r.stderr).toContain('next: route-failover prepare --group edge');
    // Without the option the group has no switchMode (the routes mode, the default).
    expect(
      JSON.parse((await h.run(initArgs(vpcId, `router-a=${a.id}`, 'router-b'))).stdout).groups[0].switchMode,
    ).toBeUndefined();

    const bad = await h.run([...initArgs(vpcId, `router-a=${a.id}`, 'router-b'), '--switch-mode', 'subnets']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--switch-mode must be "routes" or "associations" (got "subnets")');
    expect(bad.stdout).toBe('');
  });
});
