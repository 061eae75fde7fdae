import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SimulatedVpc } from '../../sim';
import { cliHarness, serveExecutions } from './helpers';
import { STATE_MACHINE_ARN } from './recorded';

/** route-failover hold / unhold, and the hold in status: the group-state table as the workflow reads it. */

const TABLE = 'VpcRouteFailover-GroupStateTable-1ABC';

const estate = (opts: { outputs?: boolean } = {}) => {
  const sim = new SimulatedVpc({ seed: 4 });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const router = (az: string) => {
    const id = sim.addInstance({ vpcId, availabilityZone: `us-east-1${az}` });
    return { id, eth0: sim.addNetworkInterface({ vpcId, instanceId: id, deviceIndex: 0, sourceDestCheck: false }) };
  };
  const a = router('a');
  const b = router('b');
  const rtb = sim.addRouteTable({ vpcId });
  sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: a.eth0 });
  const config = {
    groups: [
      {
        name: 'edge',
        vpcId,
        members: [
          { name: 'router-a', instanceId: a.id },
          { name: 'router-b', instanceId: b.id },
        ],
      },
    ],
  };
  const h = cliHarness({ ec2: sim.ec2(), files: { 'failover.json': JSON.stringify(config) } });
  serveExecutions(h.mocks.sfn, []);
  h.mocks.cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'VpcRouteFailover',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs:
          opts.outputs === false
            ? []
            : [
                { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE_ARN },
                { OutputKey: 'GroupStateTable', OutputValue: TABLE },
              ],
      },
    ],
  });
  // The group's item, as DynamoDB keeps it: other attributes must survive a hold and an unhold.
  const item: Record<string, AttributeValue> = {
    group: { S: 'edge' },
    history: { S: '{"automaticSwitches":[]}' },
    'inventory:router-a': { M: { observedAt: { S: 'x' } } },
  };
  h.mocks.ddb.on(UpdateItemCommand).callsFake((input) => {
    if (input.UpdateExpression === 'SET #h = :h') {
      item.hold = input.ExpressionAttributeValues[':h'];
      return {};
    }
    if (input.UpdateExpression === 'REMOVE #h') {
      const old = item.hold;
      delete item.hold;
      return { Attributes: old ? { hold: old } : undefined };
    }
    throw new Error(`unexpected update ${input.UpdateExpression}`);
  });
  h.mocks.ddb.on(GetItemCommand).callsFake(() => ({ Item: item.hold ? { hold: item.hold } : {} }));
  return { h, item };
};

describe('hold and unhold', () => {
  it(`hold stores until, who (the caller identity) and why in \
the \`hold\` attribute of the group item; status shows it`, async () => {
    const { h, item } = estate();

    const r = await h.run([
      'hold',
      '--config',
      'failover.json',
      '--group',
      'edge',
      '--for',
      '2h',
      '--reason',
      'firmware CHG-2001',
    ]);

    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'HELD edge until 2026-11-25T16:30:00.123Z (2h00m), by ' +
        'arn:aws:sts::111122223333:assumed-role/NetOps/alice: firmware CHG-2001',
    );
    expect(h.mocks.sts).toHaveReceivedCommand(GetCallerIdentityCommand);
    expect(h.mocks.ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { group: { S: 'edge' } },
      UpdateExpression: 'SET #h = :h',
    });
    expect(item.hold).toEqual({
      M: {
        until: { S: '2026-11-25T16:30:00.123Z' },
        by: { S: 'arn:aws:sts::111122223333:assumed-role/NetOps/alice' },
        reason: { S: 'firmware CHG-2001' },
        setAt: { S: '2026-11-25T14:30:00.123Z' },
      },
    });
    expect(Object.keys(item).sort()).toEqual(['group', 'history', 'hold', 'inventory:router-a']);

    const s = await h.run(['status', '--config', 'failover.json']);
    expect(s.stdout).toContain(
      '  HELD until 2026-11-25T16:30:00.123Z by arn:aws:sts::111122223333:assumed-role/NetOps/alice: firmware CHG-2001',
    );
    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);
    expect(json.groups[0].hold).toMatchObject({ until: '2026-11-25T16:30:00.123Z', reason: 'firmware CHG-2001' });
  });

  it('unhold removes the hold only; status no longer shows it; a second unhold says there was none', async () => {
    const { h, item } = estate();
    await h.run(['hold', '--config', 'failover.json', '--group', 'edge', '--for', '30m', '--reason', 'patch']);

    const r = await h.run(['unhold', '--config', 'failover.json', '--group', 'edge']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^UNHELD edge: the hold by .*NetOps\/alice until 2026-11-25T15:00:00.123Z \(patch\) is over/,
    );
    expect(Object.keys(item).sort()).toEqual(['group', 'history', 'inventory:router-a']);
    expect((await h.run(['status', '--config', 'failover.json'])).stdout).not.toContain('HELD');
    expect((await h.run(['unhold', '--config', 'failover.json', '--group', 'edge'])).stdout).toBe(
      'edge was not held: nothing to end',
    );
  });

  it.each([
    [['--group', 'nope', '--for', '2h', '--reason', 'r'], /unknown group "nope"/i],
    [['--group', 'edge', '--reason', 'r'], /hold needs --for D/],
    [['--group', 'edge', '--for', 'soon', '--reason', 'r'], /--for "soon": a duration/],
    [['--group', 'edge', '--for', '8d', '--reason', 'r'], /at most 7 days/],
    [
      ['--group', 'edge', '--for', '9d', '--reason', 'r'],
      /a hold lasts more than 0 s and at most 7 days \(got 777600 s\)\. Nothing was changed\./,
    ],
    [['--group', 'edge', '--for', '2h'], /hold needs --reason/],
    [['--group', 'edge', '--for', '2h', '--reason', ' '], /needs a reason/],
  ])('refuses hold %j with exit 2 before any AWS call', async (args, message) => {
    const { h } = estate();
    const r = await h.run(['hold', '--config', 'failover.json', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(h.mocks.ddb).not.toHaveReceivedCommand(UpdateItemCommand);
    // Not even who is asking (STS) nor where the table is (CloudFormation): a usage error needs no account.
    for (const mock of [h.mocks.sts, h.mocks.cfn, h.mocks.ddb, h.mocks.sfn]) expect(mock.calls()).toHaveLength(0);
  });

  it(`without the GroupStateTable output: hold is refused \
naming --state-table; status still answers and says why`, async () => {
    const { h } = estate({ outputs: false });
    const r = await h.run(['hold', '--config', 'failover.json', '--group', 'edge', '--for', '2h', '--reason', 'r']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no "GroupStateTable" output: pass --state-table/);
    expect(h.mocks.ddb).not.toHaveReceivedCommand(UpdateItemCommand);

    const s = await h.run(['status', '--config', 'failover.json']);
    expect(s.stdout).toMatch(/hold: unknown \(stack "VpcRouteFailover" has no "GroupStateTable" output/);

    const ok = await h.run([
      'hold',
      '--config',
      'failover.json',
      '--group',
      'edge',
      '--for',
      '2h',
      '--reason',
      'r',
      '--state-table',
      'my-table',
    ]);
    expect(ok.code).toBe(0);
    expect(h.mocks.ddb).toHaveReceivedCommandWith(UpdateItemCommand, { TableName: 'my-table' });
  });
});

describe('status: the member inventory', () => {
  it(`shows each member's stored interfaces and age, STALE \
past three refresh intervals, NOT STORED when missing`, async () => {
    const { h } = estate();
    const stored = (observedAt: string) => ({
      M: {
        observedAt: { S: observedAt },
        data: {
          S: JSON.stringify({
            member: 'router-a',
            instanceId: 'i-0aaaaaaaaaaaaaaaa',
            observedAt,
            interfaces: [{ slot: '0/0', eni: 'eni-0aaaaaaaaaaaaaaaa' }],
          }),
        },
      },
    });
    // The CLI's clock is 2026-11-25T14:30:00.123Z: 3 minutes, then an hour.
    h.mocks.ddb
      .on(GetItemCommand)
      .resolves({ Item: { group: { S: 'edge' }, 'inventory:router-a': stored('2026-11-25T14:27:00.123Z') } });
    const fresh = await h.run(['status', '--config', 'failover.json']);
    expect(fresh.stdout).toMatch(/inventory: router-a 1 interface\(s\), 3m00s old; router-b NOT STORED/);

    h.mocks.ddb
      .on(GetItemCommand)
      .resolves({ Item: { group: { S: 'edge' }, 'inventory:router-a': stored('2026-11-25T13:30:00.123Z') } });
    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--json'])).stdout);
    expect(json.groups[0].inventory).toEqual([
      { member: 'router-a', observedAt: '2026-11-25T13:30:00.123Z', ageSeconds: 3600, interfaces: 1, stale: true },
      { member: 'router-b', observedAt: null, ageSeconds: null, interfaces: 0, stale: true },
    ]);
  });
});
