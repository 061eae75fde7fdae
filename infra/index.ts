/**
 * vpc-route-failover as a construct library: `new RouteFailover(stack, 'Failover', config)` in any CDK app, the
 * config in the shape of a failover.json (the one schema, functions/contract/config.ts, validated at construction).
 */
export { RouteFailover, type RouteFailoverOptions, type RouteFailoverProps } from './route-failover';
export { FailoverStack, type FailoverStackProps } from './failover-stack';
export { FailoverWorkflow, type FailoverWorkflowProps } from './constructs/workflow';
export { FailoverFunction, type FailoverFunctionProps } from './constructs/failover-function';
export { FailoverMonitoring, type FailoverMonitoringProps } from './constructs/monitoring';
export { GroupState } from './constructs/group-state';
export { Guard, type GuardProps } from './constructs/guard';
export { InventoryRefresh, type InventoryRefreshProps } from './constructs/inventory-refresh';
export { Notifications, type NotificationsProps } from './constructs/notifications';
export { Probe, type ProbeProps } from './constructs/probe';
export { TASK_FUNCTIONS, type TaskName } from './constructs/task-functions';
export { GroupTriggers, type GroupTriggersProps, Triggers, type TriggersProps } from './constructs/triggers';
export { TwinReconcile, type TwinReconcileProps } from './constructs/twin-reconcile';
export { readFailoverConfig, readStackName } from './config-source';
export {
  FailoverConfigSchema,
  parseConfig,
  parseConfigJson,
  type FailoverConfig,
  type FailoverConfigInput,
} from '../functions/contract/config';
export { ConfigError } from '../functions/contract/errors';
export { WriteBudgetError } from '../functions/domain/write-budget';
