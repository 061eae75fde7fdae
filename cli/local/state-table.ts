import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { GroupStateStore } from '../../functions/domain/group-state';
import { DynamoDbGroupStateStore } from '../../functions/aws/dynamodb-group-state';
import { ConfigError } from '../../functions/contract/errors';

/**
 * The group-state table for local runs against an endpoint: the same key schema as the stack's table
 * (infra/failover-stack.ts: partition key `group`, string, on demand), so consecutive local runs keep leases,
 * switch history and the member inventory between them, as consecutive executions of one deployed stack do.
 */
export const ensureStateTable = async (
  ddb: DynamoDBClient,
  tableName: string,
  log: (line: string) => void = () => undefined,
): Promise<GroupStateStore> => {
  try {
    const out = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    const key = out.Table?.KeySchema ?? [];
    if (key.length !== 1 || key[0].AttributeName !== 'group' || key[0].KeyType !== 'HASH') {
      throw new ConfigError(
        `table ${tableName} exists but its key is not the group-state key (partition key "group", string)`,
      );
    }
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && (err as Error).name !== 'ResourceNotFoundException') throw err;
    log(`creating group-state table ${tableName}`);
    await ddb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'group', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'group', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client: ddb, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  }
  return new DynamoDbGroupStateStore(ddb, tableName);
};
