import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { notify, NotifyInputSchema } from '../../functions/notify/notify';
import type { NotifyState } from '../../functions/contract/audit-record';
import { parseInput } from '../../functions/contract/parse-input';
import { execution, GROUP, healthyMember, IDS, NOW, succeededState } from '../unit/fixtures';

/** A switch that leaves the group without a healthy standby is published at warning severity, saying so. */

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({ region: 'eu-west-1' });
const TOPIC = `arn:aws:sns:eu-west-1:${IDS.account}:vpc-route-failover`;
beforeEach(() => snsMock.reset());

const run = (state: NotifyState) =>
  notify(parseInput(NotifyInputSchema, { state, execution: execution() }, 'Notify input'), {
    sns,
    topicArn: TOPIC,
    now: () => NOW,
  });
const published = (): PublishCommandInput => snsMock.commandCalls(PublishCommand)[0].args[0].input;
const stopped = (member: string) => ({
  ...healthyMember(member),
  state: 'stopped',
  instanceStatus: undefined,
  systemStatus: undefined,
  healthy: false,
  problems: ['instance is stopped'],
});

describe('notify: lost redundancy', () => {
  it('a switch to the only healthy member is a warning with a NO HEALTHY STANDBY line', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const s = succeededState();
    s.health = [stopped('router-a'), healthyMember('router-b')];

    const record = await run(s);

    expect(record.outcome).toBe('succeeded');
    expect(record.noHealthyStandby).toBe(true);
    const p = published();
    expect(p.MessageAttributes?.severity).toEqual({ DataType: 'String', StringValue: 'warning' });
    expect(p.Subject).toBe(`[FAILOVER OK] ${GROUP}: router-a -> router-b, 2 route(s), NO STANDBY`);
    expect(p.Message).toMatch(
      new RegExp(
        String.raw`\nStandby: +NO HEALTHY STANDBY: router-b carries the routes and no other member of the ` +
          `group passed the health gate`,
      ),
    );
  });

  it('a switch that keeps a healthy standby stays info, without the line', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const s = succeededState();
    s.health = [healthyMember('router-a'), healthyMember('router-b')];

    const record = await run(s);

    expect(record.noHealthyStandby).toBeUndefined();
    expect(published().MessageAttributes?.severity?.StringValue).toBe('info');
    expect(published().Message).not.toContain('NO HEALTHY STANDBY');
  });

  it('a dry run or a run that moved nothing does not claim lost redundancy', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const s = { ...succeededState(), dryRun: true, results: undefined, verification: undefined };
    s.health = [stopped('router-a'), healthyMember('router-b')];

    const record = await run(s);

    expect(record.noHealthyStandby).toBeUndefined();
  });
});
