/** The EC2 actions a SimulatedVpc serves, by name, each bound to the account region's state. */
import { associateRouteTable, replaceRouteTableAssociation } from './associations';
import { describeInstanceStatus, describeInstances, describeNetworkInterfaces } from './instances';
import { createRouteTable, createTags, deleteRouteTable, deleteTags, disableVgwRoutePropagation, enableVgwRoutePropagation } from './route-table-admin';
import { createRoute, deleteRoute, describeRouteTables, replaceRoute } from './route-tables';
import type { SimState } from './state';
import { describeSubnets } from './subnets';
import type { CommandInput } from './types';

export type ActionHandler = (input: CommandInput) => object;

/** Handlers are typed with the SDK's request shapes; the registry erases that on purpose. */
const h =
  <I>(s: SimState, fn: (s: SimState, input: I) => object): ActionHandler =>
  (input) =>
    fn(s, input as unknown as I);

/** Every EC2 action the simulator answers; anything else is refused by name. */
export const ec2Handlers = (s: SimState): Record<string, ActionHandler> => ({
  DescribeRouteTables: h(s, describeRouteTables),
  ReplaceRoute: h(s, replaceRoute),
  CreateRoute: h(s, createRoute),
  DeleteRoute: h(s, deleteRoute),
  DescribeInstances: h(s, describeInstances),
  DescribeInstanceStatus: h(s, describeInstanceStatus),
  DescribeNetworkInterfaces: h(s, describeNetworkInterfaces),
  DescribeSubnets: h(s, describeSubnets),
  AssociateRouteTable: h(s, associateRouteTable),
  ReplaceRouteTableAssociation: h(s, replaceRouteTableAssociation),
  CreateRouteTable: h(s, createRouteTable),
  DeleteRouteTable: h(s, deleteRouteTable),
  CreateTags: h(s, createTags),
  DeleteTags: h(s, deleteTags),
  EnableVgwRoutePropagation: h(s, enableVgwRoutePropagation),
  DisableVgwRoutePropagation: h(s, disableVgwRoutePropagation),
});
