import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { convergeBlocker, convergeName } from '../../functions/guard/converge';
import {
  activeFromRoutes,
  attributeCauses,
  CLEAN_HASH,
  GUARD_FINDINGS_LISTED,
  guardPass,
  type ChangeCause,
} from '../../functions/guard/guard-pass';
import { guardTriggerOf } from '../../functions/guard/trigger';
import { parseConfig } from '../../functions/contract/config';
import type { GuardState } from '../../functions/domain/guard-state';
import { DynamoDbGuardStore } from '../../functions/aws/dynamodb-guard-state';

const A = { name: 'router-a', instanceId: 'i-0aa', enis: ['eni-a0', 'eni-a1'] };
const B = { name: 'router-b', instanceId: 'i-0bb', enis: ['eni-b0', 'eni-b1'] };
const to = (cidr: string, eni: string, extra: Partial<Route> = {}): Route => ({
  DestinationCidrBlock: cidr,
  NetworkInterfaceId: eni,
  State: 'active',
  Origin: 'CreateRoute',
  ...extra,
});
const table = (id: string, routes: Route[], extra: Partial<RouteTable> = {}): RouteTable => ({
  RouteTableId: id,
  VpcId: 'vpc-1',
  Routes: routes,
  Associations: [],
  ...extra,
});
const onB = { member: 'router-b', from: 'last-switch' as const };

describe('the guard pass (pure)', () => {
  it(`judges routes in reach with the one invariant: departed, split \
and blackhole findings, each with table, destination, target`, () => {
    const C = { name: 'router-c', instanceId: 'i-0cc', enis: ['eni-c0'] };
    const r = guardPass({
      active: onB,
      departed: ['router-a'],
      members: [A, B, C],
      reach: [
        table('rtb-1', [
          to('10.1.0.0/16', 'eni-a0'),
          to('10.2.0.0/16', 'eni-c0'),
          to('10.3.0.0/16', 'eni-b1', { State: 'blackhole' }),
          to('10.4.0.0/16', 'eni-b0'),
        ]),
      ],
      scoped: [],
    });
    expect(r.findings.map((f) => [f.kind, f.routeTableId, f.destination, f.target, f.member])).toEqual([
      ['departed', 'rtb-1', '10.1.0.0/16', 'eni-a0', 'router-a'],
      ['split', 'rtb-1', '10.2.0.0/16', 'eni-c0', 'router-c'],
      ['blackhole', 'rtb-1', '10.3.0.0/16', 'eni-b1', 'router-b'],
    ]);
    expect(r).toMatchObject({
      total: 3,
      routes: 4,
      tables: 1,
      counts: { departed: 1, split: 1, blackhole: 1, 'new-table': 0, 'scope-gap': 0 },
    });
  });

  it(`is bounded: lists GUARD_FINDINGS_LISTED findings, counts \
every one, and hashes the whole set whatever the order`, () => {
    const routes = Array.from({ length: 300 }, (_, i) => to(`198.18.${i % 256}.${Math.floor(i / 256)}/32`, 'eni-a0'));
    const input = { active: onB, departed: ['router-a'], members: [A, B], reach: [table('rtb-1', routes)], scoped: [] };
    const r = guardPass(input);
    expect(r.total).toBe(300);
    expect(r.findings).toHaveLength(GUARD_FINDINGS_LISTED);
    expect(guardPass({ ...input, reach: [table('rtb-1', [...routes].reverse())] }).hash).toBe(r.hash);
    expect(guardPass({ ...input, reach: [table('rtb-1', routes.slice(1))] }).hash).not.toBe(r.hash);
    expect(guardPass({ ...input, reach: [table('rtb-1', [])] }).hash).toBe(CLEAN_HASH);
  });

  it(`finds a table in scope that the last switch did not know \
(routes to the active member), none without a baseline`, () => {
    const fresh = table('rtb-new', [to('10.9.0.0/16', 'eni-b0')]);
    const base = { active: onB, departed: ['router-a'], members: [A, B], reach: [fresh], scoped: [fresh] };
    expect(guardPass({ ...base, baseline: ['rtb-old'] }).findings).toEqual([
      expect.objectContaining({
        kind: 'new-table',
        routeTableId: 'rtb-new',
        destination: '10.9.0.0/16',
        target: 'eni-b0',
        member: 'router-b',
      }),
    ]);
    expect(guardPass(base).total).toBe(0);
    expect(guardPass({ ...base, baseline: ['rtb-new'] }).total).toBe(0);
  });

  it('finds a gap in the scope only where something uses the outside table', () => {
    const used = table('rtb-out', [to('10.5.0.0/16', 'eni-a1')], {
      Associations: [
        { RouteTableAssociationId: 'rtbassoc-1', SubnetId: 'subnet-1', AssociationState: { State: 'associated' } },
      ],
    });
    const unused = table('rtb-idle', [to('10.6.0.0/16', 'eni-a1')]);
    const r = guardPass({ active: onB, departed: [], members: [A, B], reach: [], scoped: [], outside: [used, unused] });
    expect(r.findings).toEqual([
      expect.objectContaining({
        kind: 'scope-gap',
        routeTableId: 'rtb-out',
        destination: '10.5.0.0/16',
        target: 'eni-a1',
        member: 'router-a',
      }),
    ]);
    expect(r.findings[0].problem).toMatch(/for subnet subnet-1: no switch will move it/);
  });

  it(`leaves a table tagged route-failover:guard = ignore alone, \
in reach, in scope and outside it (any other value counts)`, () => {
    const tag = (value: string) => ({ Tags: [{ Key: 'route-failover:guard', Value: value }] });
    const ignored = table('rtb-x', [to('10.1.0.0/16', 'eni-a0')], tag('ignore'));
    const counted = table('rtb-y', [to('10.1.0.0/16', 'eni-a0')], tag('watch'));
    const r = guardPass({
      active: onB,
      departed: ['router-a'],
      members: [A, B],
      reach: [ignored, counted],
      scoped: [ignored, counted],
      baseline: [],
    });
    expect(r.findings.map((f) => f.routeTableId)).toEqual(['rtb-y']);
    // Its route to the departed member is one a switchover would move all the same: counted, so convergence waits.
    expect(r.ignored).toEqual({ count: 1, tables: ['rtb-x'], wouldMove: 1 });
  });

  it('tells the active member from the routes when no switch is recorded: the member most routes lead to', () => {
    expect(
      activeFromRoutes(
        [A, B],
        [table('rtb-1', [to('10.1.0.0/16', 'eni-a0'), to('10.2.0.0/16', 'eni-b0'), to('10.3.0.0/16', 'eni-b1')])],
      ),
    ).toBe('router-b');
    expect(activeFromRoutes([A, B], [table('rtb-1', [])])).toBeUndefined();
  });

  it(`attaches the cause a CloudTrail event gives to the findings \
on its table and destination, and keeps earlier causes`, () => {
    const r = guardPass({
      active: onB,
      departed: ['router-a'],
      members: [A, B],
      reach: [table('rtb-1', [to('10.1.0.0/16', 'eni-a0'), to('10.2.0.0/16', 'eni-a0')])],
      scoped: [],
    });
    const cause: ChangeCause = {
      who: 'arn:aws:sts::1:assumed-role/Terraform/ci',
      when: '2026-12-06T10:00:00Z',
      call: 'ReplaceRoute',
    };
    const withCause = attributeCauses(r.findings, { routeTableId: 'rtb-1', destination: '10.2.0.0/16', cause });
    expect(withCause.map((f) => f.cause)).toEqual([undefined, cause]);
    expect(attributeCauses(r.findings, undefined, withCause).map((f) => f.cause)).toEqual([undefined, cause]);
  });
});

describe('convergence decisions', () => {
  const pass = guardPass({
    active: onB,
    departed: ['router-a'],
    members: [A, B],
    reach: [table('rtb-1', [to('10.1.0.0/16', 'eni-a0')])],
    scoped: [],
  });
  const healthy = { health: { healthy: true, problems: [] } } as never;
  const T = new Date('2026-12-06T12:00:00Z');
  const since = '2026-12-06T11:50:00Z';
  const on = { converge: true, graceSeconds: 300 };

  it(`names an execution after the group, the finding set and \
when it began: at most 80 characters, the same for a repeat`, () => {
    expect(convergeName('onprem-edge', pass.hash, since)).toBe(
      `guard-onprem-edge-${pass.hash.slice(0, 12)}-${Date.parse(since) / 1000}`,
    );
    expect(convergeName('x'.repeat(63), pass.hash, since).length).toBeLessThanOrEqual(80);
    expect(convergeName('x'.repeat(63), pass.hash, since)).toBe(convergeName('x'.repeat(63), pass.hash, since));
  });

  it('waits out the grace period, then stops for a hold, a lease, or a target that fails the health gate', () => {
    expect(
      convergeBlocker(
        { converge: false, graceSeconds: 300 },
        pass,
        since,
        { history: { automaticSwitches: [] } },
        healthy,
        T,
      ),
    ).toEqual({ status: 'off' });
    expect(
      convergeBlocker(on, pass, '2026-12-06T11:58:00Z', { history: { automaticSwitches: [] } }, healthy, T),
    ).toEqual({ status: 'waiting', until: '2026-12-06T12:03:00.000Z' });
    const hold = { until: '2026-12-06T13:00:00.000Z', by: 'netops', reason: 'r', setAt: since };
    expect(convergeBlocker(on, pass, since, { history: { automaticSwitches: [] }, hold }, healthy, T)).toMatchObject({
      status: 'held',
    });
    const lease = { owner: 'arn:exec', expiresAt: '2026-12-06T12:10:00.000Z' };
    expect(convergeBlocker(on, pass, since, { history: { automaticSwitches: [] }, lease }, healthy, T)).toEqual({
      status: 'lease-held',
      owner: 'arn:exec',
    });
    const sick = { health: { healthy: false, problems: ['instance is stopped'] } } as never;
    expect(convergeBlocker(on, pass, since, { history: { automaticSwitches: [] } }, sick, T)).toMatchObject({
      status: 'target-unhealthy',
      problem: expect.stringMatching(/instance is stopped/),
    });
    expect(convergeBlocker(on, pass, since, { history: { automaticSwitches: [] } }, healthy, T)).toBeUndefined();
    const withIgnored = { ...pass, ignored: { count: 1, tables: ['rtb-x'], wouldMove: 3 } };
    expect(convergeBlocker(on, withIgnored, since, { history: { automaticSwitches: [] } }, healthy, T)).toMatchObject({
      status: 'ignored-table-would-move',
      problem: expect.stringMatching(/^3 route\(s\) in tables tagged route-failover:guard = ignore/),
    });
  });
});

describe('guard triggers', () => {
  const config = parseConfig({
    groups: [
      {
        name: 'edge',
        vpcId: 'vpc-0123456789abcdef0',
        members: [
          { name: 'a', instanceId: 'i-0a1b2c3d4e5f60001' },
          { name: 'b', instanceId: 'i-0a1b2c3d4e5f60002' },
        ],
      },
    ],
  });
  const fixture = JSON.parse(
    readFileSync(path.join(__dirname, '..', 'fixtures', 'cloudtrail-create-route.json'), 'utf8'),
  );

  it(`a CloudTrail CreateRoute names the table, the destination \
and who called, and concerns the groups of its table's VPC`, async () => {
    const ec2 = {
      send: jest.fn(async () => ({
        RouteTables: [{ RouteTableId: 'rtb-0a1a1a1a1a1a1a1a1', VpcId: 'vpc-0123456789abcdef0' }],
      })),
    };
    const t = await guardTriggerOf(fixture, { ec2: ec2 as never, config });
    expect(t).toEqual({
      trigger: 'CloudTrail CreateRoute',
      groups: ['edge'],
      why: 'rtb-0a1a1a1a1a1a1a1a1 is in vpc-0123456789abcdef0',
      claim: {
        routeTableId: 'rtb-0a1a1a1a1a1a1a1a1',
        destination: '10.50.0.0/16',
        cause: {
          who: 'arn:aws:sts::111122223333:assumed-role/NetOps/alice',
          when: '2026-11-25T14:31:07Z',
          call: 'CreateRoute',
          eventId: 'b8e4a2c1-7f3d-4b95-a0e6-1c2d3e4f5a6b',
        },
      },
    });
  });

  it('the schedule concerns every group; an unknown event is refused by name', async () => {
    const ec2 = { send: jest.fn() };
    expect(await guardTriggerOf({ source: 'vpc-route-failover.guard' }, { ec2: ec2 as never, config })).toMatchObject({
      trigger: 'schedule',
      groups: ['edge'],
    });
    await expect(guardTriggerOf({ source: 'elsewhere' }, { ec2: ec2 as never, config })).rejects.toMatchObject({
      name: 'InvalidRequestError',
    });
    expect(ec2.send).not.toHaveBeenCalled();
  });
});

describe('DynamoDbGuardStore, as sent', () => {
  const ddbMock = mockClient(DynamoDBClient);
  beforeEach(() => ddbMock.reset());
  const store = () => new DynamoDbGuardStore(new DynamoDBClient({ region: 'eu-west-1' }), 'group-state');
  const state: GuardState = {
    lastPassAt: '2026-12-06T12:00:00.000Z',
    hash: CLEAN_HASH,
    notifiedHash: CLEAN_HASH,
    since: '2026-12-06T11:00:00.000Z',
    total: 0,
    counts: {},
    findings: [],
    baseline: { switchId: 'none', tables: ['rtb-1'] },
  };

  it(`writes its one attribute with an update (the item \
holds the lease, history, inventory and hold too)`, async () => {
    ddbMock.on(UpdateItemCommand).resolves({});
    await store().write('edge', state);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'group-state',
      Key: { group: { S: 'edge' } },
      UpdateExpression: 'SET #g = :g',
      ExpressionAttributeNames: { '#g': 'guard' },
      ExpressionAttributeValues: { ':g': { S: JSON.stringify(state) } },
    });
  });

  it(`reads the lease, the last switch, the hold and its own \
state in one consistent GetItem; an unreadable state is none`, async () => {
    const history = {
      lastSwitch: {
        at: 't',
        triggerTime: 't',
        executionId: 'arn:x',
        automatic: true,
        triggerId: 'e',
        to: 'b',
        from: ['a'],
      },
      automaticSwitches: [],
    };
    ddbMock.on(GetItemCommand).resolves({
      Item: {
        group: { S: 'edge' },
        owner: { S: 'arn:x' },
        expiresAt: { S: '2026-12-06T12:30:00.000Z' },
        history: { S: JSON.stringify(history) },
        guard: { S: JSON.stringify(state) },
      },
    });
    expect(await store().read('edge')).toEqual({
      history,
      lease: { owner: 'arn:x', expiresAt: '2026-12-06T12:30:00.000Z' },
      guard: state,
    });
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'group-state',
      Key: { group: { S: 'edge' } },
      ConsistentRead: true,
    });
    ddbMock.on(GetItemCommand).resolves({ Item: { group: { S: 'edge' }, guard: { S: '{"not":"a state"}' } } });
    expect(await store().read('edge')).toEqual({ history: { automaticSwitches: [] } });
  });
});
