import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { HEADERS, META_HEADER_PREFIX } from '../headers';
import {
  CONTRACT_VERSION,
  DEFAULT_DEDUP_RETENTION_MS,
  DEFAULT_HEARTBEAT_EXPIRY_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_INFLIGHT_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_RUNNING_AFTER_MS,
  MAX_BATCH_ITEMS,
  MAX_PRIORITY,
  WORK_QUEUE_DELIVERY_LIMIT,
} from '../limits';
import { BATCH_CONTENT_TYPE, PARTS_CONTENT_TYPE } from '../media-types';
import { ControlOrderBody } from '../messages/control-message';
import { META_FIELD_DESCRIPTION, type HeaderField } from '../messages/header-fields';
import { WorkerStatusBody } from '../messages/worker-status-message';
import { templateNames, WORKER_TYPE_PATTERN } from '../names';
import { REQUEST_TRANSITIONS } from '../transitions';
import { EVENT_STATES, REQUEST_STATES, RESPONSE_STATUSES } from '../states';
import { exchangeSpecs, managerTopology } from '../topology/topology';
import { MESSAGE_SPECS, operationsOf, type MessageSpec } from './message-specs';

/** The AMQP bindings version the document's `bindings` follow. */
const AMQP_BINDING_VERSION = '0.3.0';

// Referenced so the decorators of both body classes are registered before the schemas are read.
const BODY_CLASSES = [WorkerStatusBody, ControlOrderBody];

type JsonSchema = Record<string, unknown>;

function fieldSchema(field: HeaderField): JsonSchema {
  const schema: JsonSchema = { description: field.description };
  switch (field.kind) {
    case 'string':
      schema['type'] = 'string';
      if (field.maxLength !== undefined) schema['maxLength'] = field.maxLength;
      if (field.enum) schema['enum'] = [...field.enum];
      if (field.pattern) schema['pattern'] = field.pattern.source;
      break;
    case 'int':
      schema['type'] = 'integer';
      if (field.minimum !== undefined) schema['minimum'] = field.minimum;
      if (field.maximum !== undefined) schema['maximum'] = field.maximum;
      break;
    case 'bool':
      schema['type'] = 'boolean';
      break;
    case 'string[]':
      schema['type'] = 'array';
      schema['items'] = { type: 'string', maxLength: field.maxLength };
      schema['maxItems'] = field.maxItems;
      break;
  }
  return schema;
}

function headersSchema(spec: MessageSpec): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of [...spec.required, ...spec.optional])
    properties[field.name] = fieldSchema(field);
  const schema: JsonSchema = {
    type: 'object',
    properties,
    required: spec.required.map((field) => field.name),
  };
  if (spec.meta) {
    schema['patternProperties'] = {
      [`^${META_HEADER_PREFIX}`]: { type: 'string', description: META_FIELD_DESCRIPTION },
    };
  }
  return schema;
}

function payloadSchema(spec: MessageSpec): JsonSchema {
  switch (spec.body) {
    case 'bytes':
      return {
        type: 'string',
        format: 'binary',
        description: 'The payload bytes, opaque to the manager.',
      };
    case 'empty':
      return { type: 'string', maxLength: 0 };
    case 'bytes on SUCCESS, else empty':
      return {
        type: 'string',
        format: 'binary',
        description: 'The output payload on SUCCESS; empty for every other status.',
      };
    default:
      return { $ref: `#/components/schemas/${spec.body}` };
  }
}

/**
 * The wire contract as an AsyncAPI 3.1 document, generated from the same definitions the code
 * uses (names, header fields, topology, body classes), so it cannot drift from them.
 */
export function contractDocument(): Record<string, unknown> {
  const names = templateNames();
  const bodies = validationMetadatasToSchemas({
    classValidatorMetadataStorage: getMetadataStorage(),
  }) as Record<string, JsonSchema>;
  const schemas = Object.fromEntries(BODY_CLASSES.map((cls) => [cls.name, bodies[cls.name] ?? {}]));
  const channels: Record<string, unknown> = {};
  for (const exchange of exchangeSpecs(names)) {
    const key =
      Object.entries(names.exchanges).find(([, name]) => name === exchange.name)?.[0] ??
      exchange.name;
    const messages = MESSAGE_SPECS.filter((spec) => spec.exchange === key);
    channels[key] = {
      address: exchange.name,
      description: `${exchange.type} exchange`,
      parameters: {
        ns: { description: 'The namespace (WM_NAMESPACE, default wm).', default: 'wm' },
      },
      messages: Object.fromEntries(
        messages.map((spec) => [spec.name, { $ref: `#/components/messages/${spec.name}` }]),
      ),
      bindings: {
        amqp: {
          is: 'routingKey',
          exchange: {
            name: exchange.name,
            type: exchange.type,
            durable: true,
            autoDelete: false,
            vhost: '/',
          },
          bindingVersion: AMQP_BINDING_VERSION,
        },
      },
    };
  }
  // Delivery mode is a property of how a message is published: an operation binding in AMQP
  // bindings 0.3.0 (a message binding only knows contentEncoding and messageType).
  const operations = Object.fromEntries(
    MESSAGE_SPECS.flatMap((spec) =>
      operationsOf(spec).map((operation) => [
        operation.name,
        {
          action: 'send',
          channel: { $ref: `#/channels/${spec.exchange}` },
          summary: `${spec.publisher} → ${spec.consumer}, routing key ${operation.routingKey}`,
          messages: [{ $ref: `#/channels/${spec.exchange}/messages/${spec.name}` }],
          bindings: {
            amqp: {
              deliveryMode: operation.persistent ? 2 : 1,
              timestamp: true,
              bindingVersion: AMQP_BINDING_VERSION,
            },
          },
        },
      ]),
    ),
  );
  const messages = Object.fromEntries(
    MESSAGE_SPECS.map((spec) => [
      spec.name,
      {
        name: spec.name,
        summary: spec.summary,
        headers: headersSchema(spec),
        payload: payloadSchema(spec),
        'x-routing-key': spec.routingKey,
      },
    ]),
  );
  const topology = managerTopology(names, ['{type}']);
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Worker manager wire contract',
      version: CONTRACT_VERSION,
      description: [
        'Every exchange and queue name starts with the namespace {ns}. Every message is published with publisher confirms; all but heartbeats are persistent (the deliveryMode of each operation binding).',
        'A consumer acks only after its effect is durable: the manager after its database commit, a worker after its response is confirmed.',
        `Worker type names match ${WORKER_TYPE_PATTERN.source}. Header values arriving as strings are accepted for integers and booleans.`,
        `Defaults: WM_MAX_PAYLOAD_BYTES ${DEFAULT_MAX_PAYLOAD_BYTES}, WM_HEARTBEAT_INTERVAL_MS ${DEFAULT_HEARTBEAT_INTERVAL_MS}, WM_HEARTBEAT_EXPIRY_MS ${DEFAULT_HEARTBEAT_EXPIRY_MS}; v2: WM_MAX_INFLIGHT_BYTES ${DEFAULT_MAX_INFLIGHT_BYTES}, WM_DEDUP_RETENTION_MS ${DEFAULT_DEDUP_RETENTION_MS}, ${HEADERS.priority} 0 (0 to ${MAX_PRIORITY}), ${HEADERS.notify} all, ${HEADERS.notBefore} and ${HEADERS.deadline} none, ${HEADERS.acceptBatch} false, the SDK's runningAfterMs ${DEFAULT_RUNNING_AFTER_MS}.`,
        `v2 request states QUEUED (a live worker type's dispatch window is full, or the type is paused) and SCHEDULED (not before ${HEADERS.notBefore}, or a retry backoff); v2 event SCHEDULED. GRANTED, DELAYED, SCHEDULED, RUNNING and PROGRESS events are published non-persistent (at most once); terminal events persistent (at least once).`,
        `Batch frames (v2): a message whose AMQP contentType is ${BATCH_CONTENT_TYPE} carries ${HEADERS.batch} items (1 to ${MAX_BATCH_ITEMS}), at most ${DEFAULT_MAX_BATCH_BYTES} bytes (WM_MAX_BATCH_BYTES); its body is, per item, a uint32 big-endian length, a UTF-8 JSON object of the item's headers (plus messageId, correlationId, contentType, and replyTo on requests), a uint32 big-endian length and the item's body. A fan-in job of a graph workflow uses the same layout with contentType ${PARTS_CONTENT_TYPE}, one part per parent step named by ${HEADERS.stepId}.`,
        `A message the manager cannot apply is parked: published unchanged to {ns}.parked with every reason in ${HEADERS.parkReasons} and the queue it came from in ${HEADERS.parkedFrom}.`,
        `Set by RabbitMQ: ${HEADERS.deliveryCount} on deliveries from quorum queues (work queues dead-letter after ${WORK_QUEUE_DELIVERY_LIMIT}); ${HEADERS.death}, ${HEADERS.firstDeathReason} and ${HEADERS.firstDeathQueue} on dead-lettered messages (a job dead-lettered by its worker queue ends ERROR with that reason).`,
      ].join('\n'),
    },
    defaultContentType: 'application/octet-stream',
    channels,
    operations,
    components: { messages, schemas },
    'x-headers': HEADERS,
    'x-states': {
      request: REQUEST_STATES,
      response: RESPONSE_STATUSES,
      event: EVENT_STATES,
      transitions: REQUEST_TRANSITIONS,
    },
    'x-topology': {
      description:
        'What the manager declares ({type} stands for every configured worker type). A worker may declare its own queue with exactly these arguments, or check it passively.',
      queues: topology.queues,
      bindings: topology.bindings,
      controlQueue: {
        name: names.controlQueue('{instance id}'),
        options: { exclusive: true, autoDelete: true },
        bindings: [
          {
            'x-match': 'all',
            [HEADERS.controlTarget]: 'instance',
            [HEADERS.workerId]: '{instance id}',
          },
          { 'x-match': 'all', [HEADERS.controlTarget]: 'type', [HEADERS.workerType]: '{type}' },
        ],
      },
    },
  };
}

/** The document as checked in at `contract/asyncapi.json`. */
export function contractJson(): string {
  return `${JSON.stringify(contractDocument(), null, 2)}\n`;
}
