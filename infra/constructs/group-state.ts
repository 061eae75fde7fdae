import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { Group } from '../../functions/contract/config';
import { groupsWithoutLogicalId } from '../logical-ids';
import { groupItemRead, pacerItemUse } from '../twin-permissions';

/**
 * The group-state table: each group's lease (one writer per group), switch history, inventory, hold and guard
 * findings, and the write pacers' items; and the customer-managed key that encrypts it. A key of its own rather
 * than the topic's: the topic key lets CloudWatch use it, this one is for the table only. Customer-managed rather
 * than aws/dynamodb: its key policy and the functions' IAM decide who can read the table's data, its use is logged
 * in CloudTrail under this key, and disabling it cuts off all access.
 */
export class GroupState extends Construct {
  readonly key: Key;
  readonly table: Table;
  /**
   * The key's use through DynamoDB for this table only (grantKeyUse()). The key with explicit actions rather than
   * table.grant*Data(), which adds the wildcards kms:ReEncrypt* and kms:GenerateDataKey*; only through DynamoDB
   * (kms:ViaService), so the functions cannot use it directly, and only for this table: DynamoDB passes the table
   * name and the account as the encryption context of every cryptographic call (DescribeKey takes no encryption
   * context, hence a statement of its own).
   */
  readonly keyUse: PolicyStatement[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    groupsWithoutLogicalId(this);
    const stack = Stack.of(this);
    this.key = new Key(this, 'GroupStateKey', {
      description: 'Encrypts the vpc-route-failover group state table (leases, switch history)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new Table(this, 'GroupStateTable', {
      partitionKey: { name: 'group', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // No TTL: an item holds a group's switch history as well as its lease; an abandoned lease ends by its
      // expiresAt (checked in the conditional write) or by takeover, never by deleting the item.
      // The history is what stops a stale event from undoing a newer switch; it must outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const viaDynamoDb = { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` };
    this.keyUse = [
      new PolicyStatement({
        actions: ['kms:DescribeKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: viaDynamoDb },
      }),
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: {
            ...viaDynamoDb,
            'kms:EncryptionContext:aws:dynamodb:tableName': this.table.tableName,
            'kms:EncryptionContext:aws:dynamodb:subscriberId': stack.account,
          },
        },
      }),
    ];
  }

  /** `actions` (exactly the DynamoDB calls the grantee's code makes) on the table, which has no index. */
  grantItems(grantee: IGrantable, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [this.table.tableArn] }));
  }

  /** GetItem on the groups' items only (LeadingKeys = the group names), never a pacer's item. */
  grantGroupItemRead(grantee: IGrantable, groups: Group[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(groupItemRead(this.table.tableArn, groups));
  }

  /** One write pacer's item (functions/domain/pacer.ts), never a group's lease; the default is ReplaceRoute's. */
  grantPacer(grantee: IGrantable, itemKey?: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(pacerItemUse(this.table.tableArn, itemKey));
  }

  /** The table's key, through DynamoDB and for this table only (keyUse). */
  grantKeyUse(grantee: IGrantable): void {
    for (const statement of this.keyUse) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  }
}
