import {
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeRouteTablesCommand,
  DisableVgwRoutePropagationCommand,
  EC2Client,
  EnableVgwRoutePropagationCommand,
  type Instance,
  ReplaceRouteCommand,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseConfig, type FailoverConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { TWIN_GROUP_TAG, TWIN_MEMBER_TAG, TWIN_OF_TAG } from '../../functions/domain/twins';
import { GROUP, IDS } from '../unit/fixtures';
import { describeInstanceStatusOutput, ec2Error, routerA, routerB } from './ec2-fixtures';

/**
 * A small stateful EC2 behind aws-sdk-client-mock for the twin reconcile: route tables with tags, routes and
 * propagation; the writes the reconcile sends change them as EC2 would (RouteAlreadyExists, InvalidRoute.NotFound),
 * so a second pass sees the first one's result. Tests assert on what was sent (`writes()`), not on this model.
 */

export const WRITE_COMMANDS = [
  CreateRouteTableCommand,
  CreateRouteCommand,
  ReplaceRouteCommand,
  DeleteRouteCommand,
  EnableVgwRoutePropagationCommand,
  DisableVgwRoutePropagationCommand,
] as const;

export const VGW = 'vgw-0123456789abcdef0';
export const VGW2 = 'vgw-0fedcba9876543210';
export const IGW = 'igw-0123456789abcdef0';

export const localRoute = (): Route => ({
  DestinationCidrBlock: '10.0.0.0/16',
  GatewayId: 'local',
  Origin: 'CreateRouteTable',
  State: 'active',
});
export const eni = (cidr: string, id: string): Route => ({
  DestinationCidrBlock: cidr,
  NetworkInterfaceId: id,
  Origin: 'CreateRoute',
  State: 'active',
});

export interface FakeEc2 {
  ec2: EC2Client;
  mock: AwsStub<any, any, any>;
  tables: Map<string, RouteTable>;
  /** Every write sent, in order: command name and input. */
  writes: () => Array<{ command: string; input: Record<string, unknown> }>;
  /** The next `n` calls of `command` answer RequestLimitExceeded. */
  throttle: (command: string, n: number) => void;
  addTable: (t: Partial<RouteTable> & { RouteTableId: string }) => RouteTable;
  instances: Instance[];
}

const matches = (t: RouteTable, f: { Name?: string; Values?: string[] }): boolean => {
  const values = f.Values ?? [];
  if (f.Name === 'vpc-id') return values.includes(t.VpcId!);
  if (f.Name === 'route-table-id') return values.includes(t.RouteTableId!);
  if (f.Name?.startsWith('tag:'))
    return (t.Tags ?? []).some((x) => x.Key === f.Name!.slice(4) && values.includes(x.Value!));
  throw new Error(`fake EC2: filter ${f.Name} not modelled`);
};

const sameDestination = (r: Route, i: Record<string, unknown>): boolean =>
  (i.DestinationCidrBlock !== undefined && r.DestinationCidrBlock === i.DestinationCidrBlock) ||
  (i.DestinationIpv6CidrBlock !== undefined && r.DestinationIpv6CidrBlock === i.DestinationIpv6CidrBlock) ||
  (i.DestinationPrefixListId !== undefined && r.DestinationPrefixListId === i.DestinationPrefixListId);

const TARGETS = [
  'NetworkInterfaceId',
  'GatewayId',
  'NatGatewayId',
  'TransitGatewayId',
  'VpcPeeringConnectionId',
  'EgressOnlyInternetGatewayId',
  'InstanceId',
];

export const fakeEc2 = (): FakeEc2 => {
  const ec2 = new EC2Client({ region: IDS.region });
  const mock = mockClient(ec2);
  const tables = new Map<string, RouteTable>();
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const throttled = new Map<string, number>();
  const instances: Instance[] = [routerA(), routerB()];
  let created = 0;

  const table = (id: string): RouteTable => {
    const t = tables.get(id);
    if (!t) throw ec2Error('InvalidRouteTableID.NotFound', { message: `The routeTable ID '${id}' does not exist` });
    return t;
  };
  const write =
    <I extends Record<string, unknown>, O>(command: string, body: (input: I) => O) =>
    (input: I) => {
      sent.push({ command, input: structuredClone(input) });
      const n = throttled.get(command) ?? 0;
      if (n > 0) {
        throttled.set(command, n - 1);
        throw ec2Error('RequestLimitExceeded', { message: 'Request limit exceeded.' });
      }
      return body(input);
    };

  mock.on(DescribeRouteTablesCommand).callsFake((input) => {
    const all = [...tables.values()].filter((t) =>
      (input.Filters ?? []).every((f: { Name?: string; Values?: string[] }) => matches(t, f)),
    );
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const size = input.MaxResults ?? 100;
    const page = all.slice(start, start + size);
    return {
      RouteTables: structuredClone(page),
      NextToken: start + size < all.length ? String(start + size) : undefined,
    };
  });
  mock.on(DescribeInstancesCommand).callsFake((input) => ({
    Reservations: [
      { Instances: structuredClone(instances.filter((i) => (input.InstanceIds ?? []).includes(i.InstanceId!))) },
    ],
  }));
  mock
    .on(DescribeInstanceStatusCommand)
    .callsFake((input) =>
      describeInstanceStatusOutput(...instances.filter((i) => (input.InstanceIds ?? []).includes(i.InstanceId!))),
    );

  mock.on(CreateRouteTableCommand).callsFake(
    write('CreateRouteTable', (input: Record<string, any>) => {
      const id = `rtb-0f00000000000${String(++created).padStart(4, '0')}`;
      const tags = (input.TagSpecifications ?? []).flatMap((s: { Tags?: unknown[] }) => s.Tags ?? []);
      const t: RouteTable = {
        RouteTableId: id,
        VpcId: input.VpcId,
        Tags: tags,
        Routes: [localRoute()],
        Associations: [],
        PropagatingVgws: [],
      };
      tables.set(id, t);
      return { RouteTable: structuredClone(t) };
    }),
  );
  mock.on(CreateRouteCommand).callsFake(
    write('CreateRoute', (input: Record<string, any>) => {
      const t = table(input.RouteTableId);
      if ((t.Routes ?? []).some((r) => sameDestination(r, input)))
        throw ec2Error('RouteAlreadyExists', { message: 'The route identified by … already exists.' });
      const { RouteTableId: _, ...route } = input;
      t.Routes = [...(t.Routes ?? []), { ...route, Origin: 'CreateRoute', State: 'active' }];
      return { Return: true };
    }),
  );
  mock.on(ReplaceRouteCommand).callsFake(
    write('ReplaceRoute', (input: Record<string, any>) => {
      const t = table(input.RouteTableId);
      const r = (t.Routes ?? []).find((x) => sameDestination(x, input));
      if (!r) throw ec2Error('InvalidRoute.NotFound', { message: 'no route with that destination' });
      for (const k of TARGETS) delete (r as Record<string, unknown>)[k];
      for (const k of TARGETS) if (input[k] !== undefined) (r as Record<string, unknown>)[k] = input[k];
      return {};
    }),
  );
  mock.on(DeleteRouteCommand).callsFake(
    write('DeleteRoute', (input: Record<string, any>) => {
      const t = table(input.RouteTableId);
      const before = (t.Routes ?? []).length;
      t.Routes = (t.Routes ?? []).filter((r) => !sameDestination(r, input));
      if (t.Routes.length === before)
        throw ec2Error('InvalidRoute.NotFound', { message: 'no route with that destination' });
      return {};
    }),
  );
  mock.on(EnableVgwRoutePropagationCommand).callsFake(
    write('EnableVgwRoutePropagation', (input: Record<string, any>) => {
      const t = table(input.RouteTableId);
      if (!(t.PropagatingVgws ?? []).some((p) => p.GatewayId === input.GatewayId))
        t.PropagatingVgws = [...(t.PropagatingVgws ?? []), { GatewayId: input.GatewayId }];
      return {};
    }),
  );
  mock.on(DisableVgwRoutePropagationCommand).callsFake(
    write('DisableVgwRoutePropagation', (input: Record<string, any>) => {
      const t = table(input.RouteTableId);
      t.PropagatingVgws = (t.PropagatingVgws ?? []).filter((p) => p.GatewayId !== input.GatewayId);
      return {};
    }),
  );

  return {
    ec2,
    mock,
    tables,
    instances,
    writes: () => sent,
    throttle: (command, n) => throttled.set(command, n),
    addTable: (t) => {
      const full: RouteTable = {
        VpcId: IDS.vpc,
        Routes: [localRoute()],
        Associations: [],
        PropagatingVgws: [],
        Tags: [],
        ...t,
      };
      tables.set(t.RouteTableId, full);
      return full;
    },
  };
};

/** Twin tags as a test writes them by hand. */
export const twinTagsOf = (original: string, member: string, group = GROUP) => [
  { Key: 'Name', Value: `${original} (standby ${member})` },
  { Key: TWIN_OF_TAG, Value: original },
  { Key: TWIN_MEMBER_TAG, Value: member },
  { Key: TWIN_GROUP_TAG, Value: group },
];

/** The fixtures' group (router-a, router-b) in the associations mode; `extra` overrides group fields. */
export const associationsConfig = (extra: Record<string, unknown> = {}): FailoverConfig =>
  parseConfig({
    groups: [
      {
        name: GROUP,
        vpcId: IDS.vpc,
        members: [
          { name: 'router-a', instanceId: IDS.routerA },
          { name: 'router-b', instanceId: IDS.routerB },
        ],
        preferred: 'router-a',
        switchMode: 'associations',
        ...extra,
      },
    ],
  });

export const emptyStore = () => new InMemoryGroupStateStore();
