import { boundedMessage } from './aws-errors';
import { THROWN_MESSAGE_MAX } from './errors';

/** A log sink for one JSON entry (index.ts passes one that writes a line to CloudWatch Logs). */
export type LogEntry = (entry: Record<string, unknown>) => void;

/**
 * Makes an error small before it leaves a Lambda handler. Lambda's Node.js runtime reports a thrown error to
 * Step Functions as the Cause `{"errorType","errorMessage","trace"}`, the trace being every line of its
 * stack, and a Catch copies that Cause into state (once per failed batch in the Map). So the message is
 * bounded and the stack reduced to the error's name; the whole error, stack included, goes to `log` first.
 * The error keeps its class and `name`, which Retry and Catch match.
 */
export const boundForStepFunctions = (err: unknown, log?: LogEntry): unknown => {
  if (!(err instanceof Error)) return err;
  const transient = (err as { transient?: unknown }).transient === true;
  log?.({
    level: transient ? 'WARN' : 'ERROR',
    message: transient ? 'task failed, the state machine retries it' : 'task failed',
    errorType: err.name,
    errorMessage: err.message,
    stack: err.stack,
  });
  err.message = boundedMessage(err.message, THROWN_MESSAGE_MAX);
  err.stack = err.name;
  return err;
};

/** Wraps a Task handler so that what it throws reaches Step Functions bounded (see boundForStepFunctions). */
export const boundedHandler =
  <I, O>(handler: (event: I) => Promise<O>, log?: LogEntry) =>
  async (event: I): Promise<O> => {
    try {
      return await handler(event);
    } catch (err) {
      throw boundForStepFunctions(err, log);
    }
  };

/** The log of index.ts files: one JSON line on stderr, which Lambda sends to CloudWatch Logs. */
export const stderrLog: LogEntry = (entry) => {
  process.stderr.write(`${JSON.stringify(entry)}\n`);
};
