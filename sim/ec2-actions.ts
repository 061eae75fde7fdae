/** The EC2 actions a SimulatedVpc serves, by name, each bound to the account region's state. */
import {
  assignPrivateIpAddresses,
  associateAddress,
  describeAddresses,
  disassociateAddress,
  unassignPrivateIpAddresses,
} from './addresses';
import { associateRouteTable, replaceRouteTableAssociation } from './associations';
import { describeInstanceStatus, describeInstances, describeNetworkInterfaces } from './instances';
import {
  createRouteTable,
  createTags,
  deleteRouteTable,
  deleteTags,
  disableVgwRoutePropagation,
  enableVgwRoutePropagation,
} from './route-table-admin';
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

/** A write whose result reads may not show at once (sim/read-lag.ts, when the simulator has read lag on). */
const lagged =
  <I>(s: SimState, action: string, fn: (s: SimState, input: I) => object): ActionHandler =>
  (input) => {
    const settle = s.readLag?.beforeWrite(s, action, input);
    const output = fn(s, input as unknown as I);
    settle?.(output);
    return output;
  };

/** Every EC2 action the simulator answers; anything else is refused by name. */
export const ec2Handlers = (s: SimState): Record<string, ActionHandler> => ({
  DescribeRouteTables: h(s, describeRouteTables),
  ReplaceRoute: lagged(s, 'ReplaceRoute', replaceRoute),
  CreateRoute: lagged(s, 'CreateRoute', createRoute),
  DeleteRoute: lagged(s, 'DeleteRoute', deleteRoute),
  DescribeInstances: h(s, describeInstances),
  DescribeInstanceStatus: h(s, describeInstanceStatus),
  DescribeNetworkInterfaces: h(s, describeNetworkInterfaces),
  DescribeSubnets: h(s, describeSubnets),
  AssociateRouteTable: h(s, associateRouteTable),
  ReplaceRouteTableAssociation: lagged(s, 'ReplaceRouteTableAssociation', replaceRouteTableAssociation),
  CreateRouteTable: h(s, createRouteTable),
  DeleteRouteTable: h(s, deleteRouteTable),
  CreateTags: h(s, createTags),
  DeleteTags: h(s, deleteTags),
  EnableVgwRoutePropagation: h(s, enableVgwRoutePropagation),
  DisableVgwRoutePropagation: h(s, disableVgwRoutePropagation),
  DescribeAddresses: h(s, describeAddresses),
  AssociateAddress: h(s, associateAddress),
  DisassociateAddress: h(s, disassociateAddress),
  AssignPrivateIpAddresses: h(s, assignPrivateIpAddresses),
  UnassignPrivateIpAddresses: h(s, unassignPrivateIpAddresses),
});
