/**
 * An EC2 Instance State-change Notification as EventBridge delivers it (the demo's example
 * account and region), dated now.
 */
export const instanceStateEvent = (instanceId: string, state: string, id: string) => ({
  version: '0',
  id,
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state },
});
