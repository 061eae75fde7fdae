import type { RouteTable } from '@aws-sdk/client-ec2';
import {
  contentChanges,
  contentDifferences,
  contentsOf,
  eniMapTo,
  hasTwinTags,
  mapContents,
  noChanges,
  routesToAny,
  TWIN_GROUP_TAG,
  TWIN_MEMBER_TAG,
  twinMapTo,
  TWIN_OF_TAG,
  twinIdentity,
  twinTags,
} from '../../functions/domain/twins';

/**
 * The twin contract of functions/domain/twins.ts: identity, contents, interface maps and the
 * writes that make a twin true.
 */

const A0 = 'eni-0a0000000000000a0';
const A1 = 'eni-0a0000000000000a1';
const B0 = 'eni-0b0000000000000b0';
const B1 = 'eni-0b0000000000000b1';

const original = (): RouteTable => ({
  RouteTableId: 'rtb-0a1a1a1a1a1a1a1a1',
  Tags: [
    { Key: 'Name', Value: 'private-a' },
    { Key: 'failover', Value: 'edge' },
  ],
  Routes: [
    { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable' },
    { DestinationIpv6CidrBlock: '2600:1f18::/56', GatewayId: 'local', Origin: 'CreateRouteTable' },
    {
      DestinationCidrBlock: '192.168.0.0/16',
      NetworkInterfaceId: A0,
      InstanceId: 'i-0aa11111111111111',
      Origin: 'CreateRoute',
    },
    { DestinationIpv6CidrBlock: '2001:db8::/32', NetworkInterfaceId: A1, Origin: 'CreateRoute' },
    { DestinationPrefixListId: 'pl-0123456789abcdef0', NetworkInterfaceId: A1, Origin: 'CreateRoute' },
    { DestinationCidrBlock: '172.31.0.0/16', GatewayId: 'vgw-0123456789abcdef0', Origin: 'EnableVgwRoutePropagation' },
  ],
  PropagatingVgws: [{ GatewayId: 'vgw-0123456789abcdef0' }],
});

const members = [
  {
    member: 'router-a',
    interfaces: [
      { slot: '0/0', eni: A0 },
      { slot: '0/1', eni: A1 },
    ],
  },
  {
    member: 'router-b',
    interfaces: [
      { slot: '0/0', eni: B0 },
      { slot: '0/1', eni: B1 },
    ],
  },
];

describe('twin identity', () => {
  it('a twin is known by its three tags; a table with some of them is neither a twin nor clean', () => {
    const tags = twinTags('edge', original(), 'router-b');
    expect(tags).toEqual([
      { Key: 'Name', Value: 'private-a (standby router-b)' },
      { Key: TWIN_OF_TAG, Value: 'rtb-0a1a1a1a1a1a1a1a1' },
      { Key: TWIN_MEMBER_TAG, Value: 'router-b' },
      { Key: TWIN_GROUP_TAG, Value: 'edge' },
    ]);
    expect(twinIdentity({ Tags: tags })).toEqual({
      original: 'rtb-0a1a1a1a1a1a1a1a1',
      member: 'router-b',
      group: 'edge',
    });
    const partial = { Tags: tags.filter((t) => t.Key !== TWIN_MEMBER_TAG) };
    expect(twinIdentity(partial)).toBeUndefined();
    expect(hasTwinTags(partial)).toBe(true);
    expect(hasTwinTags(original())).toBe(false);
  });
});

describe('twin contents', () => {
  it(`static routes leave out local and propagated routes; \
IPv6 and prefix-list destinations are their own keys`, () => {
    const c = contentsOf(original());
    expect(
      [...c.routes.values()].map(
        (r) => `${r.destination.kind} ${r.destination.value} ${r.target.field} ${r.target.id}`,
      ),
    ).toEqual([
      `ipv4 192.168.0.0/16 NetworkInterfaceId ${A0}`,
      `ipv6 2001:db8::/32 NetworkInterfaceId ${A1}`,
      `prefix-list pl-0123456789abcdef0 NetworkInterfaceId ${A1}`,
    ]);
    expect(c.vgws).toEqual(['vgw-0123456789abcdef0']);
  });

  it("the wanted twin for router-b maps each interface to router-b's in the same slot", () => {
    const { map, unpaired } = eniMapTo(members, 'router-b');
    expect([...map]).toEqual([
      [A0, B0],
      [A1, B1],
    ]);
    expect(unpaired).toEqual([]);
    const wanted = mapContents(contentsOf(original()), map);
    expect([...wanted.routes.values()].map((r) => r.target.id)).toEqual([B0, B1, B1]);
    expect(routesToAny(contentsOf(original()), new Set([A1]))).toBe(true);
    expect(routesToAny(wanted, new Set([A0, A1]))).toBe(false);
  });

  it('contentChanges lists exactly the writes contentDifferences describes, and nothing once applied', () => {
    const wanted = mapContents(contentsOf(original()), eniMapTo(members, 'router-b').map);
    const twin: RouteTable = {
      Routes: [
        { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: A0 },
        { DestinationPrefixListId: 'pl-0123456789abcdef0', NetworkInterfaceId: B1 },
        { DestinationCidrBlock: '10.99.0.0/16', NatGatewayId: 'nat-0123456789abcdef0' },
      ],
      PropagatingVgws: [{ GatewayId: 'vgw-0fedcba9876543210' }],
    };
    const actual = contentsOf(twin);

    const c = contentChanges(wanted, actual);

    expect(c.add.map((r) => r.destination.value)).toEqual(['2001:db8::/32']);
    expect(c.replace.map((r) => `${r.destination.value} ${r.target.id}`)).toEqual([`192.168.0.0/16 ${B0}`]);
    expect(c.remove.map((r) => r.destination.value)).toEqual(['10.99.0.0/16']);
    expect(c).toMatchObject({ enable: ['vgw-0123456789abcdef0'], disable: ['vgw-0fedcba9876543210'] });
    expect(contentDifferences(wanted, actual, 10)).toHaveLength(5);
    expect(noChanges(c)).toBe(false);
    expect(noChanges(contentChanges(wanted, wanted))).toBe(true);
  });

  it('a route to an instance is replaced by the wanted interface route', () => {
    const wanted = contentsOf({ Routes: [{ DestinationCidrBlock: '10.1.0.0/16', NetworkInterfaceId: B0 }] });
    const actual = contentsOf({ Routes: [{ DestinationCidrBlock: '10.1.0.0/16', InstanceId: 'i-0bb22222222222222' }] });
    expect(contentChanges(wanted, actual).replace).toHaveLength(1);
  });
});

describe('twinMapTo', () => {
  const inv = (member: string, enis: string[]) => ({
    member,
    instanceId: `i-${member}`,
    observedAt: '2026-01-01T00:00:00.000Z',
    interfaces: enis.map((eni, i) => ({ slot: `0/${i}`, eni })),
  });
  const inventory = {
    a: inv('a', ['eni-a0', 'eni-a1']),
    b: inv('b', ['eni-b0', 'eni-b1']),
    c: inv('c', ['eni-c0', 'eni-c1']),
    gone: inv('gone', ['eni-g0']),
  };

  it(`maps every member to the target by slot, not only the \
failover pairs (an original may point at a third member)`, () => {
    const map = twinMapTo(
      inventory,
      'c',
      [{ slot: '0/0', fromMember: 'b', fromEni: 'eni-b0', toEni: 'eni-c0' }],
      new Set(['a', 'b', 'c']),
    );
    expect(Object.fromEntries(map)).toEqual({
      'eni-a0': 'eni-c0',
      'eni-a1': 'eni-c1',
      'eni-b0': 'eni-c0',
      'eni-b1': 'eni-c1',
    });
  });

  it("takes the target's interfaces from the pairs over the inventory, and the pairs over everything", () => {
    const map = twinMapTo({ a: inventory.a, c: inv('c', ['eni-old0', 'eni-old1']) }, 'c', [
      { slot: '0/0', fromMember: 'a', fromEni: 'eni-a0', toEni: 'eni-c0' },
    ]);
    expect(map.get('eni-a0')).toBe('eni-c0');
    expect(map.get('eni-a1')).toBe('eni-old1');
    expect(map.has('eni-g0')).toBe(false);
  });
});
