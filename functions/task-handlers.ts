import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { listRoutes, ListRoutesInputSchema } from './list-routes/list-routes';
import { notify, NotifyInputSchema } from './notify/notify';
import { ReplaceInputSchema, replaceRoute } from './replace-route/replace-route';
import { ResolveInputSchema, resolveTargets } from './resolve-targets/resolve-targets';
import type { FailoverConfig } from './shared/config';
import { parseInput } from './shared/schemas';
import { verifyRoutes, VerifyInputSchema } from './verify-routes/verify-routes';

export interface TaskDeps {
  ec2: EC2Client;
  sns: SNSClient;
  config: FailoverConfig;
  topicArn: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  recheckDelaysMs?: number[];
}

// JSON in, JSON out, as Lambda would see it.
type TaskHandler = (input: any) => Promise<any>;

/**
 * The Task states of statemachine/failover.asl.json mapped to their real pure functions, wired exactly as
 * each functions/<step>/index.ts wires them but with the clients given here (local runner, tests, demo).
 */
export const createTaskHandlers = (deps: TaskDeps): Record<string, TaskHandler> => ({
  ResolveTargets: (e) => resolveTargets(parseInput(ResolveInputSchema, e, 'ResolveTargets input'), deps),
  ListRoutes: (e) => listRoutes(parseInput(ListRoutesInputSchema, e, 'ListRoutes input'), deps),
  ReplaceRoute: (e) => replaceRoute(parseInput(ReplaceInputSchema, e, 'ReplaceRoute input'), deps),
  VerifyRoutes: (e) => verifyRoutes(parseInput(VerifyInputSchema, e, 'VerifyRoutes input'), deps),
  Notify: (e) => notify(parseInput(NotifyInputSchema, e, 'Notify input'), deps),
});
