import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import { checkInvariant, describeCheck, reachOf } from '../../functions/domain/invariant';
import { findRoute, unreplaceableReason } from '../../functions/domain/routes';
import { mergeInventory, type MemberInventory } from '../../functions/domain/inventory';

const A = { name: 'router-a', instanceId: 'i-0aa', enis: ['eni-a0', 'eni-a1'] };
const B = { name: 'router-b', instanceId: 'i-0bb', enis: ['eni-b0', 'eni-b1'] };
const C = { name: 'router-c', instanceId: 'i-0cc', enis: ['eni-c0'] };

const table = (id: string, routes: Route[], associated = true): RouteTable => ({
  RouteTableId: id,
  Routes: routes,
  Associations: associated
    ? [
        {
          RouteTableAssociationId: `rtbassoc-${id}`,
          SubnetId: `subnet-${id}`,
          AssociationState: { State: 'associated' },
        },
      ]
    : [],
});
const to = (cidr: string, eni: string, extra: Partial<Route> = {}): Route => ({
  DestinationCidrBlock: cidr,
  NetworkInterfaceId: eni,
  State: 'active',
  Origin: 'CreateRoute',
  ...extra,
});

describe('the route-table invariant', () => {
  it('holds when every route to a member leads to the target and none is blackhole', () => {
    const r = checkInvariant({
      target: 'router-b',
      departed: ['router-a'],
      members: [A, B],
      tables: [
        table('rtb-1', [
          to('10.1.0.0/16', 'eni-b0'),
          { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' },
        ]),
      ],
    });
    expect(r).toEqual({ findings: [], routes: 1, tables: 1, split: 0 });
    expect(describeCheck(r, 'router-b', ['router-a'])).toBe(
      'checked 1 route(s) to an interface in 1 table(s) in reach: none ' +
        'leads to a member other than router-b or is blackhole on a member',
    );
  });

  it(`names a route still on the departed member, by interface \
and, for an interface nobody knew, by the instance behind it`, () => {
    const r = checkInvariant({
      target: 'router-b',
      departed: ['router-a'],
      members: [{ ...A, enis: [] }, B],
      tables: [
        table('rtb-1', [
          to('10.1.0.0/16', 'eni-a0', { InstanceId: 'i-0aa', State: 'blackhole' }),
          to('10.2.0.0/16', 'eni-zz', { InstanceId: 'i-0aa' }),
        ]),
      ],
    });
    expect(r.findings.map((f) => [f.destination.value, f.member, f.kind])).toEqual([
      ['10.1.0.0/16', 'router-a', 'departed'],
      ['10.2.0.0/16', 'router-a', 'departed'],
    ]);
    expect(r.findings[0].problem).toBe("still points at router-a's interface eni-a0 (blackhole)");
  });

  it('checks the local route like any other (east-west inspection through a member)', () => {
    const r = checkInvariant({
      target: 'router-b',
      departed: ['router-a'],
      members: [A, B],
      tables: [table('rtb-1', [to('10.0.0.0/16', 'eni-a1', { Origin: 'CreateRouteTable' })])],
    });
    expect(r.findings).toMatchObject([
      {
        destination: { value: '10.0.0.0/16' },
        local: true,
        kind: 'departed',
        problem: "still points at router-a's interface eni-a1",
      },
    ]);
  });

  it('a blackhole on the target is a finding; a propagated route never is', () => {
    const r = checkInvariant({
      target: 'router-b',
      departed: ['router-a'],
      members: [A, B],
      tables: [
        table('rtb-1', [
          to('10.1.0.0/16', 'eni-b0', { State: 'blackhole' }),
          {
            DestinationCidrBlock: '10.2.0.0/16',
            GatewayId: 'vgw-1',
            Origin: 'EnableVgwRoutePropagation',
            State: 'active',
          },
        ]),
      ],
    });
    expect(r.findings.map((f) => [f.destination.value, f.kind])).toEqual([['10.1.0.0/16', 'blackhole']]);
  });

  it('a member the switch did not leave is still another member: its routes are findings too (split)', () => {
    const r = checkInvariant({
      target: 'router-b',
      departed: ['router-a'],
      members: [A, B, C],
      tables: [table('rtb-1', [to('10.1.0.0/16', 'eni-c0'), to('10.2.0.0/16', 'eni-b0', { State: 'blackhole' })])],
    });
    expect(r.split).toBe(1);
    expect(r.findings.map((f) => [f.destination.value, f.member, f.kind])).toEqual([
      ['10.1.0.0/16', 'router-c', 'split'],
      ['10.2.0.0/16', 'router-b', 'blackhole'],
    ]);
    expect(describeCheck(r, 'router-b', ['router-a'])).toBe(
      'checked 2 route(s) to an interface in 1 table(s) in reach: 2 lead to router-a (1 to a member this switch did ' +
        'not leave) or are blackhole, not on router-b',
    );
  });

  it(`reach: the routes mode takes every original and the twins \
something uses; the associations mode only what something uses`, () => {
    const original = table('rtb-orig', [], false);
    const usedTwin = table('rtb-twin-used', []);
    const idleTwin = table('rtb-twin-idle', [], false);
    const orphan = table('rtb-orphan', []);
    const read = { originals: [original], twins: [usedTwin, idleTwin], orphanTwins: [orphan] };
    expect(reachOf(read, 'routes').map((t) => t.RouteTableId)).toEqual(['rtb-orig', 'rtb-twin-used', 'rtb-orphan']);
    expect(reachOf(read, 'associations').map((t) => t.RouteTableId)).toEqual(['rtb-twin-used', 'rtb-orphan']);
  });
});

describe('routes: what ReplaceRoute acts on', () => {
  it('finds the static route when a propagated route shares its prefix, whichever comes first', () => {
    const propagated: Route = {
      DestinationCidrBlock: '10.9.0.0/16',
      GatewayId: 'vgw-1',
      Origin: 'EnableVgwRoutePropagation',
      State: 'active',
    };
    const fixed = to('10.9.0.0/16', 'eni-a0');
    expect(findRoute(table('rtb-1', [propagated, fixed]), { kind: 'ipv4', value: '10.9.0.0/16' })).toBe(fixed);
    expect(findRoute(table('rtb-1', [propagated]), { kind: 'ipv4', value: '10.9.0.0/16' })).toBe(propagated);
  });

  it('a local route pointed at an interface is replaceable; the local route to the VPC is not', () => {
    expect(unreplaceableReason(to('10.0.0.0/16', 'eni-a0', { Origin: 'CreateRouteTable' }))).toBeUndefined();
    expect(
      unreplaceableReason({ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable' }),
    ).toBe('local route of the VPC (not moved)');
  });
});

describe('mergeInventory: a partial view never makes the inventory forget', () => {
  const stored: MemberInventory = {
    member: 'router-a',
    instanceId: 'i-0aa',
    observedAt: '2026-12-01T00:00:00.000Z',
    interfaces: [
      { slot: '0/0', eni: 'eni-a0' },
      { slot: '0/1', eni: 'eni-a1' },
    ],
  };
  const partial: MemberInventory = {
    member: 'router-a',
    instanceId: 'i-0aa',
    observedAt: '2026-12-02T00:00:00.000Z',
    interfaces: [{ slot: '0/0', eni: 'eni-a0' }],
  };

  it('keeps an interface EC2 no longer shows, with when it was last seen', () => {
    expect(mergeInventory(stored, partial).interfaces).toEqual([
      { slot: '0/0', eni: 'eni-a0' },
      { slot: '0/1', eni: 'eni-a1', seenAt: '2026-12-01T00:00:00.000Z' },
    ]);
  });

  it('a new interface in the slot replaces the old one; another instance starts afresh', () => {
    const replaced = { ...partial, interfaces: [...partial.interfaces, { slot: '0/1', eni: 'eni-a9' }] };
    expect(mergeInventory(stored, replaced).interfaces.map((i) => i.eni)).toEqual(['eni-a0', 'eni-a9']);
    expect(mergeInventory(stored, { ...partial, instanceId: 'i-0new' }).interfaces.map((i) => i.eni)).toEqual([
      'eni-a0',
    ]);
  });
});
