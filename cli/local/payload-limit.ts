import { StateMachine } from 'aws-local-stepfunctions';
import { payloadBytes, STATE_PAYLOAD_LIMIT } from '../../functions/contract/state-size';

/**
 * Step Functions' payload limit, enforced by the local runner as AWS enforces it.
 *
 * On AWS a payload above 262,144 bytes (service-quotas.html: the input when scheduling a Task, entering a state
 * or starting an execution; a Task's result; a state's output) fails the execution with States.DataLimitExceeded,
 * and that error cannot be caught: "Error handling in Step Functions" (concepts-error-handling.html) says that
 * States.ALL "cannot catch the States.DataLimitExceeded terminal error", and lists it as reported when a
 * connector's output, a state's output, or a state's input after Parameters processing is larger than the
 * payload size quota. aws-local-stepfunctions 3 has no such limit, so without this a run that would die on AWS
 * with no notification and the lease held passes locally.
 */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

/**
 * The error for an oversized payload. aws-local-stepfunctions matches Retry and Catch only for errors whose
 * `isRetryable` / `isCatchable` is not false (its RuntimeError flags), so this one passes through every
 * Retry and Catch, States.ALL included, and through a Map to the execution, as on AWS.
 */
export const dataLimitExceeded = (what: string, bytes: number): Error =>
  Object.assign(
    new Error(
      `${what} is ${bytes} bytes: Step Functions allows ${STATE_PAYLOAD_LIMIT} ` +
        `bytes (UTF-8 JSON) per task, state or execution payload`,
    ),
    {
      name: DATA_LIMIT_EXCEEDED,
      isRetryable: false,
      isCatchable: false,
    },
  );

/** Throws States.DataLimitExceeded when `value` is above the limit. */
export const checkPayload = (what: string, value: unknown): void => {
  const bytes = payloadBytes(value);
  if (bytes > STATE_PAYLOAD_LIMIT) throw dataLimitExceeded(what, bytes);
};

interface EventLoggerLike {
  dispatchStateEnteredEvent: (name: string, type: string, input: unknown) => void;
  dispatchStateExitedEvent: (name: string, type: string, input: unknown, output: unknown) => void;
}

const HOOKED = Symbol.for('vpc-route-failover.payload-limit');

/**
 * Makes every StateMachine of aws-local-stepfunctions (the top level and each Map iteration, which runs as a
 * nested StateMachine) check each state's input as it enters and its output (after ResultPath and
 * OutputPath: where a Pass, Map or Task grows the state) as it exits. The library has no hook for this, so its
 * `execute` (the state loop, which gets the event logger in its options) is wrapped: the check runs
 * synchronously between two states, before the next one starts. Watching the event stream instead would be
 * too late: a PlanSwitch output over the limit must stop the run before the Map that writes routes begins.
 * A Task's input after Parameters and its result are checked by the runner's handler wrapper.
 */
export const enforcePayloadLimit = (): void => {
  const proto = StateMachine.prototype as unknown as Record<PropertyKey, unknown>;
  if (proto[HOOKED]) return;
  const execute = proto.execute;
  if (typeof execute !== 'function')
    throw new Error(
      'aws-local-stepfunctions: StateMachine.execute not found; the runner cannot enforce the payload limit',
    );
  proto.execute = function (
    this: unknown,
    input: unknown,
    options: { eventLogger?: EventLoggerLike },
    ...rest: unknown[]
  ) {
    const logger = options?.eventLogger;
    if (
      !logger ||
      typeof logger.dispatchStateEnteredEvent !== 'function' ||
      typeof logger.dispatchStateExitedEvent !== 'function'
    ) {
      throw new Error(
        'aws-local-stepfunctions: no event logger in StateMachine.execute; the runner cannot enforce the payload limit',
      );
    }
    const entered = logger.dispatchStateEnteredEvent.bind(logger);
    const exited = logger.dispatchStateExitedEvent.bind(logger);
    logger.dispatchStateEnteredEvent = (name, type, stateInput) => {
      checkPayload(`the input of state ${name}`, stateInput);
      entered(name, type, stateInput);
    };
    logger.dispatchStateExitedEvent = (name, type, stateInput, output) => {
      checkPayload(`the output of state ${name}`, output);
      exited(name, type, stateInput, output);
    };
    return (execute as (...a: unknown[]) => unknown).call(this, input, options, ...rest);
  };
  proto[HOOKED] = true;
};
