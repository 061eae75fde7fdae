import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { notify, NotifyInputSchema } from '../../functions/notify/notify';
import type { NotifyState } from '../../functions/contract/audit-record';
import { type EmfLine, FAILOVER_NAMESPACE } from '../../functions/domain/failover-metrics';
import { newHold } from '../../functions/contract/hold';
import { parseInput } from '../../functions/contract/parse-input';
import { execution, GROUP, IDS, NOW, resolvedState, succeededState } from '../unit/fixtures';

/** Notify's EMF metrics: one set per execution, for the dashboard. */

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({ region: 'eu-west-1' });
const TOPIC = `arn:aws:sns:eu-west-1:${IDS.account}:vpc-route-failover`;
beforeEach(() => snsMock.reset());

const run = async (state: NotifyState, publish = true) => {
  const lines: EmfLine[] = [];
  const record = await notify(
    parseInput(NotifyInputSchema, { state, execution: execution(), publish }, 'Notify input'),
    {
      sns,
      topicArn: TOPIC,
      now: () => NOW,
      emitMetric: (l) => lines.push(l),
    },
  );
  return { record, lines };
};
const metric = (lines: EmfLine[], name: string) =>
  lines.find((l) => l._aws.CloudWatchMetrics[0].Metrics.some((m) => m.Name === name));

describe('notify: EMF metrics', () => {
  it(`a switch: Executions by group and outcome, SwitchDuration \
(the record duration), SwitchedTo the target`, async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const { record, lines } = await run(succeededState());

    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l._aws.Timestamp).toBe(NOW.getTime());
      expect(l._aws.CloudWatchMetrics[0].Namespace).toBe(FAILOVER_NAMESPACE);
      // Every dimension named in the directive is a field of the line (or CloudWatch drops the metric).
      for (const d of l._aws.CloudWatchMetrics[0].Dimensions[0]) expect(typeof l[d]).toBe('string');
    }
    expect(metric(lines, 'Executions')).toMatchObject({ Group: GROUP, Outcome: 'succeeded', Executions: 1 });
    expect(metric(lines, 'SwitchDuration')).toMatchObject({
      Group: GROUP,
      SwitchDuration: record.durationMs,
      Ec2CallsRetried: 0,
    });
    expect(metric(lines, 'SwitchedTo')).toMatchObject({ Group: GROUP, Member: 'router-b', SwitchedTo: 1 });
  });

  it('a held automatic trigger counts as outcome "held", with no duration and no member', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const held = newHold({ seconds: 3600, by: 'arn:aws:sts::1:assumed-role/x/y', reason: 'r', now: NOW });
    const { lines } = await run({ ...resolvedState(), action: 'noop', noopReason: 'held', held });

    expect(metric(lines, 'Executions')).toMatchObject({ Outcome: 'held' });
    expect(metric(lines, 'SwitchDuration')).toBeUndefined();
    expect(metric(lines, 'SwitchedTo')).toBeUndefined();
  });

  it('nothing is emitted when SNS refuses (the retry emits), and once when only the record is built', async () => {
    snsMock
      .on(PublishCommand)
      .rejects(Object.assign(new Error('boom'), { name: 'InternalErrorException', $fault: 'server' }));
    const lines: EmfLine[] = [];
    await expect(
      notify(parseInput(NotifyInputSchema, { state: succeededState(), execution: execution() }, 'Notify input'), {
        sns,
        topicArn: TOPIC,
        now: () => NOW,
        emitMetric: (l) => lines.push(l),
      }),
    ).rejects.toThrow();
    expect(lines).toHaveLength(0);

    const { lines: recordOnly } = await run(succeededState(), false);
    expect(metric(recordOnly, 'Executions')).toMatchObject({ Outcome: 'succeeded' });
  });
});
