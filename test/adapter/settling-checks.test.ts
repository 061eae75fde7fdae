import { DescribeInstancesCommand, DescribeInstanceStatusCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig } from '../../functions/contract/config';
import { describeMembers, settlingChecks } from '../../functions/aws/members';
import { configInput, IDS } from '../unit/fixtures';
import { describeInstancesOutput, instanceStatus, routerA, routerB, withSourceDestCheck } from './ec2-fixtures';

/** Which members the health gate waits for (checks still settling) and which it refuses at once. */

const NOW = new Date('2026-11-25T14:30:00Z');
const group = parseConfig(configInput()).groups[0];

const viewOfB = async (b = routerB(), status = [instanceStatus(IDS.routerA), instanceStatus(IDS.routerB)]) => {
  const ec2 = new EC2Client({ region: IDS.region });
  const mock = mockClient(ec2);
  mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA(), b));
  mock.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: status });
  return (await describeMembers(ec2, group, NOW)).get('router-b')!;
};

describe('settlingChecks', () => {
  it('initializing or insufficient-data checks, with nothing else wrong, are settling', async () => {
    const v = await viewOfB(routerB(), [
      instanceStatus(IDS.routerA),
      instanceStatus(IDS.routerB, 'running', { instance: 'initializing', system: 'insufficient-data' }),
    ]);
    expect(settlingChecks(v)).toEqual([
      'instance status check is initializing',
      'system status check is insufficient-data',
    ]);
  });

  it('a running instance DescribeInstanceStatus does not report yet is settling', async () => {
    const v = await viewOfB(routerB(), [instanceStatus(IDS.routerA)]);
    expect(v.health.healthy).toBe(false);
    expect(settlingChecks(v)).toEqual([
      'instance status check is not reported yet',
      'system status check is not reported yet',
    ]);
  });

  it(`is undefined when waiting cannot help: a check impaired, \
source/destination check on, not running, healthy`, async () => {
    const impaired = await viewOfB(routerB(), [
      instanceStatus(IDS.routerA),
      instanceStatus(IDS.routerB, 'running', { instance: 'impaired', system: 'initializing' }),
    ]);
    expect(settlingChecks(impaired)).toBeUndefined();
    const srcDst = await viewOfB(withSourceDestCheck(routerB(), IDS.eniB0, true), [
      instanceStatus(IDS.routerA),
      instanceStatus(IDS.routerB, 'running', { instance: 'initializing' }),
    ]);
    expect(settlingChecks(srcDst)).toBeUndefined();
    const pending = await viewOfB(routerB('pending'), [
      instanceStatus(IDS.routerA),
      instanceStatus(IDS.routerB, 'pending', { instance: 'initializing', system: 'initializing' }),
    ]);
    expect(settlingChecks(pending)).toBeUndefined();
    expect(settlingChecks(await viewOfB())).toBeUndefined();
  });
});
