import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BatchTransport } from '../messaging/batch-transport';
import { Dispatcher } from './dispatch/dispatcher.service';
import { OutcomesService } from './outcomes.service';
import { Sweeper } from './sweeper.service';

/**
 * Starts the sweeps once everything else is up (the consumers start with the batch transport,
 * `app.startAllMicroservices()`), and stops first on shutdown: the consumers stop taking
 * messages (intake first) and finish their batches, the sweeps and dispatches in flight end,
 * and only then do the broker and database connections close.
 */
@Injectable()
export class RequestsLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Manager');

  constructor(
    private readonly transport: BatchTransport,
    private readonly sweeper: Sweeper,
    private readonly dispatcher: Dispatcher,
    private readonly outcomes: OutcomesService,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper.start();
    this.logger.log('sweeps running');
  }

  async onModuleDestroy(): Promise<void> {
    await this.transport.close();
    // The last response batch's events and next jobs, sent after its acknowledgement.
    await this.outcomes.settled();
    await this.sweeper.stop();
    await this.dispatcher.stop();
  }
}
