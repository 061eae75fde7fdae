/** SNS Publish, with the validation SNS applies to subjects, messages and message attributes. */
import type { MessageAttributeValue, PublishInput, PublishResponse } from '@aws-sdk/client-sns';
import { fault, type SimFault } from './faults';
import { compact } from './filters';
import { uuid } from './random';
import type { SimState } from './state';

export function publish(s: SimState, input: PublishInput): PublishResponse {
  const topicArn = input.TopicArn ?? input.TargetArn;
  if (topicArn === undefined)
    throw fault('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  checkSubject(input.Subject);
  checkMessage(input);
  if (!s.topics.has(topicArn)) throw fault('NotFound', 'Topic does not exist', 404);
  const MessageId = uuid(s.requestRand);
  s.published.push(
    compact({
      TopicArn: topicArn,
      Subject: input.Subject,
      Message: input.Message as string,
      MessageAttributes: input.MessageAttributes && structuredClone(input.MessageAttributes),
      MessageId,
    }),
  );
  return { MessageId };
}

const MAX_MESSAGE_BYTES = 262144;

const checkSubject = (subject: string | undefined): void => {
  if (subject === undefined) return;
  // ASCII printable, starting with a letter, digit or punctuation, at most 100 characters, no line breaks.
  if (!/^[\x21-\x7e][\x20-\x7e]{0,99}$/.test(subject)) throw fault('InvalidParameter', 'Invalid parameter: Subject');
};

const checkMessage = (input: PublishInput): void => {
  if (typeof input.Message !== 'string' || input.Message.length === 0)
    throw fault('InvalidParameter', 'Invalid parameter: Empty message');
  if (input.MessageStructure !== undefined) checkMessageStructure(input.MessageStructure, input.Message);
  const attributes = Object.entries(input.MessageAttributes ?? {});
  if (attributes.length > 10) {
    throw fault(
      'InvalidParameter',
      `Invalid parameter: MessageAttributes Reason: Number of message ` +
        `attributes [${attributes.length}] exceeds the allowed maximum [10].`,
    );
  }
  const attributeBytes = attributes.reduce((sum, [name, value]) => sum + checkAttribute(name, value), 0);
  if (Buffer.byteLength(input.Message, 'utf8') + attributeBytes > MAX_MESSAGE_BYTES) {
    throw fault('InvalidParameter', 'Invalid parameter: Message too long');
  }
};

const checkMessageStructure = (structure: string, message: string): void => {
  if (structure !== 'json') throw fault('InvalidParameter', 'Invalid parameter: MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw fault('InvalidParameter', 'Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as Record<string, unknown>).default !== 'string'
  ) {
    throw fault('InvalidParameter', 'Invalid parameter: Message Structure - No default entry in JSON message body');
  }
};

/** Validates one message attribute; returns the bytes it adds to the message size. */
const checkAttribute = (name: string, value: MessageAttributeValue): number => {
  const badName =
    !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
    /^(aws\.|amazon\.)/i.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..');
  if (badName)
    throw fault('InvalidParameter', `Invalid parameter: MessageAttributes Reason: Invalid attribute name '${name}'`);
  const type = value?.DataType ?? '';
  const base = type.split('.')[0];
  if (!['String', 'Number', 'Binary'].includes(base)) {
    throw fault(
      'InvalidParameter',
      `Invalid parameter: MessageAttributes Reason: The message attribute '${name}' has an invalid message attribute ` +
        `type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  }
  if (base === 'Binary') {
    if (!value.BinaryValue || value.BinaryValue.length === 0) throw emptyAttribute(name, type);
    return name.length + type.length + value.BinaryValue.length;
  }
  if (value.StringValue === undefined || value.StringValue === '') throw emptyAttribute(name, type);
  if (base === 'Number' && !Number.isFinite(Number(value.StringValue))) {
    throw fault(
      'InvalidParameter',
      `Invalid parameter: MessageAttributes Reason: Could not cast message attribute '${name}' value to number.`,
    );
  }
  return name.length + type.length + Buffer.byteLength(value.StringValue, 'utf8');
};

const emptyAttribute = (name: string, type: string): SimFault =>
  fault(
    'InvalidParameter',
    `Invalid parameter: MessageAttributes Reason: The message attribute '${name}' must contain non-empty message ` +
      `attribute value for message attribute type '${type}'.`,
  );
