import { createHash } from 'node:crypto';
import { Fn, type Stack } from 'aws-cdk-lib';

/**
 * Physical names the stack fixes itself. Each one starts with the stack name, so two stacks in one account and
 * region never collide, and nothing retained after `cdk destroy` keeps a name a new deployment would need:
 * retained resources either have names CloudFormation generates or, like the state machine's log group, a
 * name that ends in this deployment's stack ID. Everything else is named by CloudFormation.
 */

/** EventBridge: "Name … Maximum length of 64" (PutRule). */
const RULE_NAME_MAX = 64;

/**
 * Name of one of the stack's EventBridge rules: `<stack>-<group>-<kind>`, or, past 64 characters, the stack name
 * cut short and a hash of all three (still unique, still fixed). Fixed, so that the EventBridge role's trust
 * policy can list the exact rule ARNs: a reference to the rules themselves would be a dependency cycle
 * (each rule's target names the role).
 */
export const ruleName = (stackName: string, group: string, kind: string): string => {
  const full = `${stackName}-${group}-${kind}`;
  if (full.length <= RULE_NAME_MAX) return full;
  const hash = createHash('sha256').update(`${stackName}\n${group}\n${kind}`).digest('hex').slice(0, 10);
  return `${stackName.slice(0, RULE_NAME_MAX - hash.length - 1)}-${hash}`;
};

/** Name of a member's status-check alarm: shared with resolve-targets, which checks an alarm event names it. */
export { statusCheckAlarmName } from '../functions/contract/alarm-names';

/** Name of one of the stack's own alarms (state machine, functions, trigger DLQ). */
export const stackAlarmName = (stackName: string, what: string): string => `${stackName}-${what}`;

/**
 * Log group of the state machine: under /aws/vendedlogs/ (which keeps Step Functions from growing the account's
 * CloudWatch Logs resource policy), and ending in the UUID of this deployment's stack ID. The group is retained
 * when the stack is destroyed; a fixed name would make the next deployment of the same stack fail with
 * "already exists", while this one gets a new group (and the old one stays for the audit trail).
 */
export const stateMachineLogGroupName = (stack: Stack, stateMachineName: string): string =>
  `/aws/vendedlogs/states/${stateMachineName}-${Fn.select(2, Fn.split('/', stack.stackId))}`;
