import { type HttpRequest, type HttpResponse, type NextFunction } from './http-types';
import { sendProblem } from './send-problem';

/**
 * Tracks the HTTP calls in flight so a stopping replica can refuse new ones (503, the load
 * balancer retries elsewhere) and wait for the running ones before the database closes.
 */
export class HttpDrain {
  private inFlight = 0;
  private stopping = false;
  private idle: Array<() => void> = [];
  private stoppingListeners: Array<() => void> = [];

  middleware() {
    return (request: HttpRequest, response: HttpResponse, next: NextFunction): void => {
      if (this.stopping && !(request.url ?? '').startsWith('/health/')) {
        response.setHeader('Connection', 'close');
        sendProblem(
          response,
          503,
          'service_unavailable',
          'this manager replica is stopping; send the call again',
        );
        return;
      }
      this.inFlight += 1;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        this.inFlight -= 1;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      };
      response.once('finish', finish);
      response.once('close', finish);
      next();
    };
  }

  /** Refuses new calls from now on and resolves when the running ones ended, or after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.stopping) for (const listener of this.stoppingListeners.splice(0)) listener();
    this.stopping = true;
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Calls `listener` once when the replica starts stopping: calls that never end on their own
   * (event streams) end themselves then, instead of holding the stop for its whole timeout.
   */
  onStopping(listener: () => void): void {
    if (this.stopping) listener();
    else this.stoppingListeners.push(listener);
  }

  get isStopping(): boolean {
    return this.stopping;
  }
}
