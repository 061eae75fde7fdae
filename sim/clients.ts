/**
 * SDK clients served by a simulator. They are real `EC2Client`/`SNSClient` subclasses because the SDK
 * paginators check `config.client instanceof EC2Client`. They override `send`, so nothing here touches the
 * network; the price is that the SDK middleware (its retry strategy included) does not run: every call is
 * one attempt and a fault reaches the caller as it would after the SDK gave up.
 */
import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateTagsCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteTagsCommand,
  DescribeAddressesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DisableVgwRoutePropagationCommand,
  DisassociateAddressCommand,
  EC2Client,
  EnableVgwRoutePropagationCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  UnassignPrivateIpAddressesCommand,
  type ServiceInputTypes as Ec2Input,
  type ServiceOutputTypes as Ec2Output,
} from '@aws-sdk/client-ec2';
import {
  PublishCommand,
  SNSClient,
  type ServiceInputTypes as SnsInput,
  type ServiceOutputTypes as SnsOutput,
} from '@aws-sdk/client-sns';
import type { Service } from './types';

/** What serves the calls: SimulatedVpc.invoke. */
export interface SimInvoker {
  readonly region: string;
  invoke(service: Service, action: string, rawInput: object, opts?: { abortSignal?: AbortSignal }): Promise<object>;
}

// Static and fake: the simulated clients never sign or send a request.
const SIMULATED_CREDENTIALS = { accessKeyId: 'AKIASIMULATEDVPC0000', secretAccessKey: 'simulated-vpc-not-a-secret' };

/**
 * Just enough of the SDK's Command type to infer a command's output type from `send(command)` without
 * importing @smithy/types, which is not a direct dependency.
 */
interface CommandOf<Output> {
  readonly input: object;
  resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: Output }>;
}

type Callback = (err: unknown, data?: unknown) => void;

const EC2_ACTIONS: Array<[abstract new (...args: never[]) => object, string]> = [
  [DescribeRouteTablesCommand, 'DescribeRouteTables'],
  [ReplaceRouteCommand, 'ReplaceRoute'],
  [CreateRouteCommand, 'CreateRoute'],
  [DeleteRouteCommand, 'DeleteRoute'],
  [DescribeInstancesCommand, 'DescribeInstances'],
  [DescribeInstanceStatusCommand, 'DescribeInstanceStatus'],
  [DescribeNetworkInterfacesCommand, 'DescribeNetworkInterfaces'],
  [DescribeSubnetsCommand, 'DescribeSubnets'],
  [AssociateRouteTableCommand, 'AssociateRouteTable'],
  [ReplaceRouteTableAssociationCommand, 'ReplaceRouteTableAssociation'],
  [CreateRouteTableCommand, 'CreateRouteTable'],
  [DeleteRouteTableCommand, 'DeleteRouteTable'],
  [CreateTagsCommand, 'CreateTags'],
  [DeleteTagsCommand, 'DeleteTags'],
  [EnableVgwRoutePropagationCommand, 'EnableVgwRoutePropagation'],
  [DisableVgwRoutePropagationCommand, 'DisableVgwRoutePropagation'],
  [DescribeAddressesCommand, 'DescribeAddresses'],
  [AssociateAddressCommand, 'AssociateAddress'],
  [DisassociateAddressCommand, 'DisassociateAddress'],
  [AssignPrivateIpAddressesCommand, 'AssignPrivateIpAddresses'],
  [UnassignPrivateIpAddressesCommand, 'UnassignPrivateIpAddresses'],
];
const SNS_ACTIONS: Array<[abstract new (...args: never[]) => object, string]> = [[PublishCommand, 'Publish']];

/** The action name of a command; an unknown command keeps its class name so the error names it. */
const actionOf = (command: object, table: Array<[abstract new (...args: never[]) => object, string]>): string =>
  table.find(([Ctor]) => command instanceof Ctor)?.[1] ?? command.constructor.name.replace(/Command$/, '');

/** The abortSignal of `send`'s options argument, if any. */
const sendOptions = (optionsOrCb: unknown): { abortSignal?: AbortSignal } => {
  const o =
    typeof optionsOrCb === 'object' && optionsOrCb !== null ? (optionsOrCb as { abortSignal?: AbortSignal }) : {};
  return { abortSignal: o.abortSignal };
};

/** Settles a promise the way `send` does: returned, or handed to a Node-style callback. */
const settle = (result: Promise<unknown>, optionsOrCb?: unknown, cb?: unknown): Promise<unknown> | void => {
  const callback = (typeof optionsOrCb === 'function' ? optionsOrCb : cb) as Callback | undefined;
  if (!callback) return result;
  result.then(
    (data) => callback(null, data),
    (err) => callback(err),
  );
};

/** An EC2Client whose `send` is served by a SimulatedVpc. */
export class SimulatedEc2Client extends EC2Client {
  readonly #sim: SimInvoker;

  constructor(sim: SimInvoker) {
    super({ region: sim.region, credentials: SIMULATED_CREDENTIALS, maxAttempts: 1 });
    this.#sim = sim;
  }

  override send<Output extends Ec2Output>(
    command: CommandOf<Output> & { readonly input: Ec2Input },
    optionsOrCb?: unknown,
    cb?: unknown,
  ): Promise<Output>;
  override send(command: { readonly input: object }, optionsOrCb?: unknown, cb?: unknown): Promise<unknown> | void {
    return settle(
      this.#sim.invoke('ec2', actionOf(command, EC2_ACTIONS), command.input, sendOptions(optionsOrCb)),
      optionsOrCb,
      cb,
    );
  }
}

/** An SNSClient whose `send` is served by a SimulatedVpc. */
export class SimulatedSnsClient extends SNSClient {
  readonly #sim: SimInvoker;

  constructor(sim: SimInvoker) {
    super({ region: sim.region, credentials: SIMULATED_CREDENTIALS, maxAttempts: 1 });
    this.#sim = sim;
  }

  override send<Output extends SnsOutput>(
    command: CommandOf<Output> & { readonly input: SnsInput },
    optionsOrCb?: unknown,
    cb?: unknown,
  ): Promise<Output>;
  override send(command: { readonly input: object }, optionsOrCb?: unknown, cb?: unknown): Promise<unknown> | void {
    return settle(
      this.#sim.invoke('sns', actionOf(command, SNS_ACTIONS), command.input, sendOptions(optionsOrCb)),
      optionsOrCb,
      cb,
    );
  }
}
