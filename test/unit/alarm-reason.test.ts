import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudWatchAlarms } from '../../functions/aws/cloudwatch-alarms';
import { reasonSaysMissingData } from '../../functions/domain/alarms';

/**
 * Whether a status-check alarm reached its state with no datapoint received (StateReasonData, as
 * DescribeAlarms returns it).
 */

const reason = (o: object) =>
  JSON.stringify({
    version: '1.0',
    queryDate: '2026-11-25T14:31:00.000+0000',
    statistic: 'Maximum',
    period: 60,
    threshold: 0,
    ...o,
  });

describe('reasonSaysMissingData', () => {
  it('no datapoint received (recentDatapoints empty, evaluated ones filled in without a value): missing data', () => {
    expect(
      reasonSaysMissingData(
        reason({
          recentDatapoints: [],
          evaluatedDatapoints: [
            { timestamp: '2026-11-25T14:30:00.000+0000' },
            { timestamp: '2026-11-25T14:29:00.000+0000' },
          ],
        }),
      ),
    ).toBe(true);
    expect(reasonSaysMissingData(reason({ recentDatapoints: [] }))).toBe(true);
  });

  it('datapoints that breach (a failed check): not missing data', () => {
    expect(
      reasonSaysMissingData(
        reason({ recentDatapoints: [1, 1], evaluatedDatapoints: [{ timestamp: 't', sampleCount: 1, value: 1 }] }),
      ),
    ).toBe(false);
    // Some received, some filled in: the member did report, so it is not silent.
    expect(
      reasonSaysMissingData(
        reason({ recentDatapoints: [1], evaluatedDatapoints: [{ timestamp: 't1', value: 1 }, { timestamp: 't2' }] }),
      ),
    ).toBe(false);
  });

  it(`no reason, not JSON, another shape: not read as missing \
data (the confirmation stays the ALARM state alone)`, () => {
    for (const r of [undefined, '', 'Threshold Crossed', reason({})]) expect(reasonSaysMissingData(r)).toBe(false);
  });

  it('cloudWatchAlarms reports it with the state and the instance', async () => {
    const cw = mockClient(CloudWatchClient);
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'a',
          StateValue: 'ALARM',
          Dimensions: [{ Name: 'InstanceId', Value: 'i-1' }],
          StateReasonData: reason({ recentDatapoints: [] }),
        },
      ],
    });
    await expect(cloudWatchAlarms(new CloudWatchClient({ region: 'us-east-1' })).read('a')).resolves.toEqual({
      state: 'ALARM',
      instanceId: 'i-1',
      missingData: true,
    });
    cw.restore();
  });
});
