import { createHash } from 'node:crypto';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorCode } from '../contract/aws-errors';
import { PROBE_SOURCE, type ProbeFailureRequest, ProbeFailureRequestSchema } from '../contract/triggers';
import type { Claim } from './agreement';
import type { ProbedGroup } from './probed-group';

export interface StartOutcome {
  status: 'started' | 'already-started';
  executionArn?: string;
}

/** Starts the workflow under a given name; an execution of that name that already exists is not an error. */
export type StartExecution = (request: { name: string; input: ProbeFailureRequest }) => Promise<StartOutcome>;

const NAME_LIMIT = 80;

/**
 * Deterministic Step Functions execution name for one failure: `probe-<group>-<member>-<first failure, epoch ms>`,
 * [A-Za-z0-9_-] only and at most 80 characters (long names are cut and keep a hash of group and member). The
 * claim in the probe item carries it to every location; Step Functions refuses a name already used by this
 * state machine (ExecutionAlreadyExists) for 90 days, so a retry cannot start a second execution.
 */
export const executionName = (group: string, member: string, firstFailureAt: number): string => {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  const epoch = String(Math.floor(firstFailureAt));
  const full = `probe-${clean(group)}-${clean(member)}-${epoch}`;
  if (full.length <= NAME_LIMIT) return full;
  const hash = createHash('sha256').update(`${group}\0${member}`).digest('hex').slice(0, 8);
  const room = NAME_LIMIT - 'probe-'.length - hash.length - epoch.length - 2;
  return `probe-${clean(`${group}-${member}`).slice(0, room)}-${hash}-${epoch}`;
};

/**
 * The workflow input for a member every live location has down, validated with the schema the workflow parses
 * it with.
 */
export const probeFailureRequest = (
  group: ProbedGroup,
  claim: Claim,
  failedRounds: number,
  lastError: string,
): ProbeFailureRequest =>
  ProbeFailureRequestSchema.parse({
    source: PROBE_SOURCE,
    group: group.name,
    member: claim.member,
    failedRounds,
    firstFailureAt: new Date(claim.firstFailureAt).toISOString(),
    lastError: lastError.slice(0, 512),
    probe: {
      ports: group.probe.ports,
      intervalMs: group.probe.intervalMs,
      downAfterMs: group.probe.downAfterMs,
      locations: claim.locations,
    },
  });

/**
 * StartExecution on the state machine, for runProbeLocation. ExecutionAlreadyExists means this failure's
 * execution was started before (a retry, or a previous invocation): reported as already started.
 */
export const stepFunctionsStarter =
  (sfn: SFNClient, stateMachineArn: string): StartExecution =>
  async ({ name, input }) => {
    try {
      const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return { status: 'started', executionArn: out.executionArn };
    } catch (err) {
      if (errorCode(err) === 'ExecutionAlreadyExists')
        return { status: 'already-started', executionArn: executionArnOf(stateMachineArn, name) };
      throw err;
    }
  };

/** arn:…:stateMachine:<machine> + name → arn:…:execution:<machine>:<name>. */
export const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
