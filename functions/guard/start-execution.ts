import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorCode } from '../contract/aws-errors';
import type { ExecutionStarter } from './converge';

/**
 * StartExecution on the failover state machine, for convergence (the guard function and `route-failover guard
 * --converge`). A name already used means this finding set's convergence was started before: a no-op.
 */
export const stepFunctionsStarter =
  (sfn: SFNClient, stateMachineArn: string): ExecutionStarter =>
  async ({ name, input }) => {
    try {
      const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return { status: 'started', executionArn: out.executionArn };
    } catch (err) {
      if (errorCode(err) === 'ExecutionAlreadyExists') return { status: 'already-started' };
      throw err;
    }
  };
