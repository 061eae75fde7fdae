import { CreateRouteCommand, DeleteRouteCommand, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { replaceRoute, ReplaceInputSchema } from '../../functions/replace-route/replace-route';
import { Ec2ThrottledError, Ec2TransientError, RouteReplaceError } from '../../functions/shared/errors';
import { parseInput, type Change, type ReplaceInput } from '../../functions/shared/schemas';
import { change, IDS } from '../unit/fixtures';
import { ec2Error, FIXED_NOW } from './ec2-fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });

beforeEach(() => ec2Mock.reset());

const input = (c: Partial<Change> = {}, dryRun = false): ReplaceInput => ({ change: change(c), dryRun });
const run = (i: ReplaceInput) => replaceRoute(i, { ec2, now: FIXED_NOW });
const ok = () => ({ $metadata: { httpStatusCode: 200, attempts: 1 }, Return: true });

/** No route is ever deleted or created, whatever happened. */
const expectNoDeleteOrCreate = () => {
  expect(ec2Mock).toHaveReceivedCommandTimes(DeleteRouteCommand, 0);
  expect(ec2Mock).toHaveReceivedCommandTimes(CreateRouteCommand, 0);
};

describe('replaceRoute: what is sent', () => {
  it('replaces an IPv4 route with DestinationCidrBlock and the target ENI', async () => {
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await run(input());

    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, {
      RouteTableId: IDS.rtbPrivateA,
      DestinationCidrBlock: '10.1.0.0/16',
      NetworkInterfaceId: IDS.eniB0,
      DryRun: false,
    });
    const sent = ec2Mock.commandCalls(ReplaceRouteCommand)[0].args[0].input;
    expect(sent).not.toHaveProperty('DestinationIpv6CidrBlock');
    expect(sent).not.toHaveProperty('DestinationPrefixListId');
    expect(sent).not.toHaveProperty('InstanceId');
    expect(result).toEqual({ change: change(), status: 'replaced', attempts: 1, at: '2026-11-25T14:30:07.000Z' });
    expectNoDeleteOrCreate();
  });

  it('replaces an IPv6 route with DestinationIpv6CidrBlock', async () => {
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    await run(input({ destination: { kind: 'ipv6', value: '2001:db8:1234::/48' }, toEni: IDS.eniB1 }));

    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, {
      RouteTableId: IDS.rtbPrivateA,
      DestinationIpv6CidrBlock: '2001:db8:1234::/48',
      NetworkInterfaceId: IDS.eniB1,
    });
    const sent = ec2Mock.commandCalls(ReplaceRouteCommand)[0].args[0].input;
    expect(sent).not.toHaveProperty('DestinationCidrBlock');
    expect(sent).not.toHaveProperty('DestinationPrefixListId');
    expectNoDeleteOrCreate();
  });

  it('replaces a prefix-list route with DestinationPrefixListId', async () => {
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    await run(input({ routeTableId: IDS.rtbPrivateB, destination: { kind: 'prefix-list', value: IDS.prefixList } }));

    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, {
      RouteTableId: IDS.rtbPrivateB,
      DestinationPrefixListId: IDS.prefixList,
      NetworkInterfaceId: IDS.eniB0,
    });
    const sent = ec2Mock.commandCalls(ReplaceRouteCommand)[0].args[0].input;
    expect(sent).not.toHaveProperty('DestinationCidrBlock');
    expect(sent).not.toHaveProperty('DestinationIpv6CidrBlock');
    expectNoDeleteOrCreate();
  });

  it('passes DryRun: true through', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('DryRunOperation', { status: 412, message: 'Request would have succeeded, but DryRun flag is set.' }));

    const result = await run(input({}, true));

    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, { RouteTableId: IDS.rtbPrivateA, NetworkInterfaceId: IDS.eniB0, DryRun: true });
    expect(result.status).toBe('dry-run');
    expect(result.change).toEqual(change());
    expectNoDeleteOrCreate();
  });

  it('defaults DryRun to false when the Map item carries no dryRun', async () => {
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());
    await run(parseInput(ReplaceInputSchema, { change: change() }, 'ReplaceRoute input'));
    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, { DryRun: false });
  });

  it('reports the SDK attempts of the call', async () => {
    ec2Mock.on(ReplaceRouteCommand).resolves({ $metadata: { httpStatusCode: 200, attempts: 3 } });
    expect((await run(input())).attempts).toBe(3);
  });
});

describe('replaceRoute: error mapping', () => {
  it('RequestLimitExceeded → Ec2ThrottledError (retried by the state machine)', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('RequestLimitExceeded', { status: 503, message: 'Request limit exceeded.' }));

    const err = await run(input()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Ec2ThrottledError);
    expect(err).toMatchObject({ name: 'Ec2ThrottledError', transient: true });
    expect((err as Error).message).toContain('RequestLimitExceeded');
    expect((err as Error).message).toContain(IDS.rtbPrivateA);
    expect((err as Error & { cause?: unknown }).cause).toMatchObject({ name: 'RequestLimitExceeded' });
    expectNoDeleteOrCreate();
  });

  it('a 500 server fault → Ec2TransientError', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('InternalError', { fault: 'server', status: 500, message: 'An internal error has occurred.' }));

    const err = await run(input()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Ec2TransientError);
    expect(err).toMatchObject({ name: 'Ec2TransientError', transient: true });
    expectNoDeleteOrCreate();
  });

  it('a 503 Unavailable → Ec2TransientError', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('Unavailable', { fault: 'server', status: 503 }));
    await expect(run(input())).rejects.toBeInstanceOf(Ec2TransientError);
  });

  it('a network failure → Ec2TransientError', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' }));
    await expect(run(input())).rejects.toBeInstanceOf(Ec2TransientError);
  });

  it('UnauthorizedOperation → RouteReplaceError (caught by name, not retried)', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('UnauthorizedOperation', { status: 403, message: 'You are not authorized to perform this operation.' }));

    const err = await run(input()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RouteReplaceError);
    expect(err).toMatchObject({ name: 'RouteReplaceError', transient: false });
    expect((err as Error).message).toMatch(/^ReplaceRoute rtb-0a1a1a1a1a1a1a1a1 10\.1\.0\.0\/16 .* eni-0b0000000000000b0: UnauthorizedOperation: You are not authorized/);
    expectNoDeleteOrCreate();
  });

  it('InvalidNetworkInterfaceID.NotFound (bad target) → RouteReplaceError', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('InvalidNetworkInterfaceID.NotFound', { message: `The networkInterface ID '${IDS.eniB0}' does not exist` }));
    await expect(run(input())).rejects.toBeInstanceOf(RouteReplaceError);
  });

  it('another InvalidParameterValue is not mistaken for a vanished route', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('InvalidParameterValue', { message: "Value (eni-x) for parameter networkInterfaceId is invalid." }));
    await expect(run(input())).rejects.toBeInstanceOf(RouteReplaceError);
  });

  it('"There is no route defined" → status vanished, no throw, never re-created', async () => {
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejects(ec2Error('InvalidParameterValue', { message: "There is no route defined for '10.1.0.0/16' in the route table. Use CreateRoute instead." }));

    const result = await run(input());

    expect(result).toMatchObject({ change: change(), status: 'vanished', at: '2026-11-25T14:30:07.000Z' });
    expect(result.detail).toContain('There is no route defined');
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 1);
    expectNoDeleteOrCreate();
  });

  it('InvalidRouteTableID.NotFound → status vanished', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('InvalidRouteTableID.NotFound', { message: `The routeTable ID '${IDS.rtbPrivateA}' does not exist` }));

    const result = await run(input());

    expect(result.status).toBe('vanished');
    expect(result.detail).toMatch(/^InvalidRouteTableID\.NotFound: /);
    expectNoDeleteOrCreate();
  });

  it('DryRunOperation → status dry-run', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('DryRunOperation', { status: 412, message: 'Request would have succeeded, but DryRun flag is set.' }));

    const result = await run(input({}, true));

    expect(result).toMatchObject({ status: 'dry-run', detail: 'EC2 accepted the request (DryRun)' });
    expectNoDeleteOrCreate();
  });

  it('a dry run that EC2 refuses (UnauthorizedOperation) still throws RouteReplaceError', async () => {
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('UnauthorizedOperation', { status: 403 }));
    await expect(run(input({}, true))).rejects.toBeInstanceOf(RouteReplaceError);
  });
});
