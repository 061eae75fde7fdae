/**
 * Step Functions' payload quota: "Maximum input or output size for a task, state, or execution: 262,144 bytes
 * of data as a UTF-8 encoded string" (Step Functions Developer Guide, "Step Functions service quotas",
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). It covers a Task's result, a
 * state's output, and the input when scheduling a Task, entering a state or starting an execution.
 */
export const STATE_PAYLOAD_LIMIT = 262_144;

/** What the quota measures: the JSON text of a value, in UTF-8 bytes. */
export const payloadBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
