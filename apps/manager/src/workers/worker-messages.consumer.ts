import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { type ChannelWrapper } from 'amqp-connection-manager';
import { type Channel, type ConsumeMessage } from 'amqplib';
import {
  assertTopology,
  livenessTopology,
  parseWorkerMessage,
  type Names,
  type WorkerMessage,
} from '@org/protocol';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { AmqpService } from '../messaging/amqp.service';
import { BatchConsumer } from '../messaging/batch-consumer';
import { InstanceRepository } from './instance.repository';
import { LivenessDatabase } from './liveness-database';
import { RegistrationRepository } from './registration.repository';
import { WorkerCatalogue } from './worker-catalogue.service';
import { foldWorkerMessages } from './worker-message-batch';
import { WorkerMessageCounters } from './worker-message-counters';
import { WorkerRegistry } from './worker-registry.service';

/** Worker messages per transaction: at 2,000 heartbeats/s a batch commits every 50–250 ms. */
const BATCH_SIZE = 500;
/** Deliveries unacknowledged at once per replica: several batches in the pipe. */
const PREFETCH = 2000;
/** Longest wait to fill a batch while one is being written. */
const BATCH_WINDOW_MS = 20;

/**
 * Consumes the shared liveness queue `<ns>.manager.workers` (every replica competes on it, so
 * each worker message is handled once per deployment) and writes each batch in one transaction:
 * one upsert for registrations, one for heartbeats, one update for unregistrations, one upsert of
 * the types' latest registrations. Messages are acknowledged after the commit; a replica that
 * dies first leaves them to another. A message that breaks the contract is dropped (counted).
 */
@Injectable()
export class WorkerMessagesConsumer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Liveness');
  private readonly consumer: BatchConsumer;
  private topology: ChannelWrapper | undefined;
  private readonly counted = new WeakSet<ConsumeMessage>();

  constructor(
    private readonly amqp: AmqpService,
    private readonly db: LivenessDatabase,
    private readonly instances: InstanceRepository,
    private readonly registrations: RegistrationRepository,
    private readonly catalogue: WorkerCatalogue,
    private readonly registry: WorkerRegistry,
    private readonly counters: WorkerMessageCounters,
    @Inject(NAMES) private readonly names: Names,
    @Inject(MANAGER_ENVIRONMENT) environment: ManagerEnvironment,
  ) {
    this.consumer = new BatchConsumer(amqp.connection, {
      queue: names.queues.managerWorkers,
      prefetch: PREFETCH,
      batchSize: BATCH_SIZE,
      windowMs: Math.min(BATCH_WINDOW_MS, environment.livenessPollMs),
      // Two transactions overlap their round trips. Order between them does not matter: rows
      // are written in id order (no deadlock), `last_seen` is the commit's clock, and an
      // unregistration's tombstone holds against a heartbeat stored after it.
      maxInFlight: 2,
      handle: (messages) => this.store(messages),
    });
  }

  async onModuleInit(): Promise<void> {
    // Declared on every (re)connection, so a broker that lost it gets it back.
    this.topology = this.amqp.connection.createChannel({
      name: 'liveness-topology',
      setup: async (channel: Channel) => {
        channel.on('error', (error: Error) =>
          this.logger.warn(`liveness topology channel error: ${error.message}`),
        );
        await assertTopology(channel, livenessTopology(this.names));
      },
    });
    this.topology.on('error', (error: Error) => this.logger.warn(error.message));
    await this.topology.waitForConnect();
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
    await this.topology?.close().catch(() => undefined);
  }

  private async store(deliveries: ConsumeMessage[]): Promise<void> {
    const messages: WorkerMessage[] = [];
    for (const delivery of deliveries) {
      const first = !this.counted.has(delivery);
      this.counted.add(delivery);
      const parsed = parseWorkerMessage(delivery);
      if (parsed.ok) {
        messages.push(parsed.value);
        if (first) this.counters.received[parsed.value.kind] += 1;
      } else if (first && this.counters.invalid++ < 100) {
        this.logger.warn(`dropped a worker message: ${parsed.error.message}`);
      }
    }
    const writes = foldWorkerMessages(messages);
    if (writes.instances.length + writes.unregistered.length === 0) return;
    await this.db.transaction(async (tx) => {
      await this.instances.write(tx, writes.instances, writes.unregistered);
      await this.registrations.write(tx, writes.registrations);
    });
    this.counters.batches += 1;
    // Read back at once what may flip a type here; other replicas see it at their next poll.
    if (
      writes.unregistered.length > 0 ||
      writes.instances.some(
        (write) =>
          write.registering || write.status !== 'ready' || !this.catalogue.isAvailable(write.type),
      )
    ) {
      this.catalogue.refreshSoon();
    }
    if (writes.registrations.length > 0) this.registry.refreshSoon();
  }
}
