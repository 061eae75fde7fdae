/** Name of a member's status-check alarm: the stack name first, so two stacks in one region never collide. */
export const statusCheckAlarmName = (stackName: string, group: string, member: string): string =>
  `${stackName}-${group}-${member}-status-check`;
