import { type Topology } from './topology';

/**
 * The channel operations topology declaration needs. An amqplib `Channel` or `ConfirmChannel`
 * satisfies it, and so does the raw channel amqp-connection-manager hands to a setup function.
 */
export interface TopologyChannel {
  assertExchange(exchange: string, type: string, options?: object): Promise<unknown>;
  assertQueue(queue: string, options?: object): Promise<unknown>;
  bindQueue(queue: string, source: string, pattern: string, args?: object): Promise<unknown>;
  checkExchange(exchange: string): Promise<unknown>;
  checkQueue(queue: string): Promise<unknown>;
  deleteQueue(queue: string, options?: object): Promise<unknown>;
  deleteExchange(exchange: string, options?: object): Promise<unknown>;
}

/**
 * Declares every exchange, queue and binding of `topology`. Declaring is idempotent when the
 * arguments match, so the manager and any number of workers may all call it; if an existing queue
 * was declared with other arguments, RabbitMQ closes the channel with PRECONDITION_FAILED and
 * this rejects.
 */
export async function assertTopology(channel: TopologyChannel, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges) {
    await channel.assertExchange(exchange.name, exchange.type, exchange.options);
  }
  for (const queue of topology.queues) {
    await channel.assertQueue(queue.name, queue.options);
  }
  for (const binding of topology.bindings) {
    await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey, binding.arguments);
  }
}

/**
 * Checks (passively) that the exchanges and queues of `topology` exist, without declaring
 * anything: what a worker running with least privilege does. Rejects with NOT_FOUND otherwise.
 */
export async function checkTopology(channel: TopologyChannel, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges) await channel.checkExchange(exchange.name);
  for (const queue of topology.queues) await channel.checkQueue(queue.name);
}

/** Deletes the queues and exchanges of `topology` (tests and decommissioning; loses queued messages). */
export async function deleteTopology(channel: TopologyChannel, topology: Topology): Promise<void> {
  for (const queue of topology.queues) await channel.deleteQueue(queue.name);
  for (const exchange of topology.exchanges) await channel.deleteExchange(exchange.name);
}
