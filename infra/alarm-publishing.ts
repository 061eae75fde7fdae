import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** The notification topic's name: fixed (and prefixed with the stack name) so that its key's policy can name it. */
export const notificationTopicName = (stackName: string): string => `${stackName}-notifications`;

/**
 * Conditions for using a topic's KMS key through SNS only, and only for that topic. SNS passes the topic's ARN as
 * the encryption context (`aws:sns:topicArn`) of its GenerateDataKey and Decrypt calls, and kms:ViaService is the
 * SNS endpoint of the region. `topicArn` is built from the topic's fixed name, not referenced: the topic refers to
 * its key, so a reference from the key policy back to the topic would be a dependency cycle.
 */
export const viaSnsForTopic = (stack: Stack, topicArn: string): Record<string, string> => ({
  'kms:ViaService': `sns.${stack.region}.${stack.urlSuffix}`,
  'kms:EncryptionContext:aws:sns:topicArn': topicArn,
});

/** ARN of the topic called `topicName` in `stack`, without a reference to the topic resource. */
export const topicArnFromName = (stack: Stack, topicName: string): string =>
  stack.formatArn({ service: 'sns', resource: topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME });

export interface AlarmPublishingProps {
  readonly topic: ITopic;
  /** The topic's KMS key, when it is encrypted: CloudWatch needs it to publish. */
  readonly topicKey?: IKey;
  /** The topic's fixed name (required with topicKey: the key policy names the topic). */
  readonly topicName?: string;
  /** The alarms that may publish, by name (their ARNs are built from them). */
  readonly alarmNames: string[];
}

/**
 * Lets CloudWatch publish the named alarms to the topic: one statement in the topic policy and, for an encrypted
 * topic, one in the key policy. Both are scoped to these alarm ARNs in this account (aws:SourceArn,
 * aws:SourceAccount) against the confused deputy; the key statement also only through SNS, for this topic.
 */
export const allowAlarmsToPublish = (scope: Construct, props: AlarmPublishingProps): void => {
  const stack = Stack.of(scope);
  const fromTheseAlarms = {
    ArnEquals: {
      'aws:SourceArn': props.alarmNames.map((name) =>
        stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: name,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    },
    StringEquals: { 'aws:SourceAccount': stack.account },
  };
  const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
  props.topic.addToResourcePolicy(
    new PolicyStatement({
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [props.topic.topicArn],
      conditions: fromTheseAlarms,
    }),
  );
  if (!props.topicKey) return;
  if (!props.topicName)
    throw new Error(`${scope.node.path}: an encrypted topic needs its fixed topicName, which the key policy names`);
  props.topicKey.addToResourcePolicy(
    new PolicyStatement({
      principals: [cloudWatch],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        ...fromTheseAlarms,
        StringEquals: {
          ...fromTheseAlarms.StringEquals,
          ...viaSnsForTopic(stack, topicArnFromName(stack, props.topicName)),
        },
      },
    }),
  );
};
