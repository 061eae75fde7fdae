import { type CfnElement, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FailoverConfig, FailoverConfigInput } from '../functions/contract/config';
import { flatLogicalId } from './logical-ids';
import { RouteFailover, type RouteFailoverOptions } from './route-failover';

export { ASL_PATH } from './constructs/workflow';

export interface FailoverStackProps extends StackProps, RouteFailoverOptions {
  /** The failover config (validated again by RouteFailover). */
  readonly config: FailoverConfig | FailoverConfigInput;
}

/**
 * The repository's own stack: one RouteFailover, and the logical IDs a stack deployed before the constructs
 * existed already has (logical-ids.ts), so that upgrading it replaces nothing. The RouteFailover's ID is
 * "Default", which CDK leaves out of every logical ID and construct-derived name beneath it; the grouping
 * constructs inside it (Notifications, GroupState, Workflow, Triggers, Monitoring) are left out here.
 */
export class FailoverStack extends Stack {
  readonly failover: RouteFailover;

  constructor(scope: Construct, id: string, props: FailoverStackProps) {
    const { config, probeApiEgress, ...stackProps } = props;
    super(scope, id, stackProps);
    this.failover = new RouteFailover(this, 'Default', config, { probeApiEgress });
  }

  protected override allocateLogicalId(element: CfnElement): string {
    return flatLogicalId(element);
  }
}
