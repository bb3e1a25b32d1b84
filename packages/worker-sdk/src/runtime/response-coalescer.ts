import { type ConfirmPublisher } from '@org/amqp-kit';
import {
  buildResponse,
  buildResponseBatches,
  type FrameLimits,
  type Names,
  type ResponseInput,
} from '@org/protocol';
import { type RuntimeDiagnostics } from './runtime-diagnostics';

interface Pending {
  readonly response: ResponseInput;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends responses, coalescing those ready at the same time into response batches (design 5.2)
 * without ever waiting on a timer: what is queued during one turn of the event loop goes out
 * together at its end (`setImmediate`), a lone response goes alone as a plain v1 message.
 *
 * Only answers to jobs that came in a batch frame are coalesced: a manager that sends job
 * batches reads response batches, while one that sends single jobs may be v1 and gets single
 * answers. Each `send` resolves once the broker confirmed the message carrying its response.
 */
export class ResponseCoalescer {
  private ready: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly names: Names,
    private readonly diagnostics: RuntimeDiagnostics,
    private readonly limits?: FrameLimits,
  ) {}

  send(response: ResponseInput, batchable: boolean): Promise<void> {
    if (!batchable) return this.publisher.publish(buildResponse(this.names, response));
    return new Promise<void>((resolve, reject) => {
      this.ready.push({ response, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const ready = this.ready;
    this.ready = [];
    this.scheduled = false;
    if (ready.length === 1) {
      const [only] = ready;
      this.publisher
        .publish(buildResponse(this.names, only!.response))
        .then(only!.resolve, only!.reject);
      return;
    }
    let batches;
    try {
      batches = buildResponseBatches(
        this.names,
        ready.map((pending) => pending.response),
        this.limits,
      );
    } catch (error) {
      for (const pending of ready) pending.reject(error);
      return;
    }
    let start = 0;
    for (const batch of batches) {
      const group = ready.slice(start, start + batch.count);
      start += batch.count;
      this.diagnostics.responseBatches += 1;
      this.diagnostics.batchedResponses += batch.count;
      this.publisher.publish(batch.message).then(
        () => {
          for (const pending of group) pending.resolve();
        },
        (error: unknown) => {
          for (const pending of group) pending.reject(error);
        },
      );
    }
  }
}
