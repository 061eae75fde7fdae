import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { notificationTopicName, topicArnFromName, viaSnsForTopic } from '../alarm-publishing';
import { groupsWithoutLogicalId } from '../logical-ids';

export interface NotificationsProps {
  /** Subscribed by e-mail (each address confirms its subscription). */
  readonly emails: readonly string[];
}

/**
 * The encrypted SNS topic every audit record and alarm goes to, its KMS key and the e-mail subscriptions.
 * The key keeps CDK's default key policy statement (the account root, kms:*): it delegates to IAM and lets the
 * account administer the key, which could otherwise become unmanageable. Use is narrowed where it is granted:
 * grantPublish() and the CloudWatch statement (alarm-publishing.ts) carry kms:ViaService and the topic's
 * encryption context.
 */
export class Notifications extends Construct {
  readonly topicKey: Key;
  readonly topic: Topic;
  /** Fixed (after the stack), so that the key policy can name it in kms:EncryptionContext (alarm-publishing.ts). */
  readonly topicName: string;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    groupsWithoutLogicalId(this);
    this.topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts the vpc-route-failover notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.topicName = notificationTopicName(Stack.of(this).stackName);
    this.topic = new Topic(this, 'Topic', {
      topicName: this.topicName,
      displayName: 'VPC route failover',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
  }

  /**
   * sns:Publish on the topic, and the key for it. Explicit actions rather than topic.grantPublish(), which grants
   * the wildcard 'kms:GenerateDataKey*'; SNS calls GenerateDataKey and Decrypt, through SNS and for this topic only.
   */
  grantPublish(grantee: IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.topicKey.keyArn],
        conditions: { StringEquals: viaSnsForTopic(stack, topicArnFromName(stack, this.topicName)) },
      }),
    );
  }
}
