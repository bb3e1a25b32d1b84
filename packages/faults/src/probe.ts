import { randomBytes } from 'node:crypto';
import { waitFor } from '@org/testkit';
import { type Requester } from './requester';

/**
 * Measures recovery: publishes fresh requests until one is served end to end (SUCCESS) and
 * returns the milliseconds from `since` (the end of the fault) to that SUCCESS. A request
 * published while the system is still broken may take long; later probes find the first moment
 * the system serves again. The confirmed probe ids are returned for the invariant checker.
 */
export async function probe(
  requester: Requester,
  contentType: string,
  since: number,
  timeoutMs = 60_000,
): Promise<{ ms: number; ids: string[] }> {
  const ids: string[] = [];
  const confirmed: string[] = [];
  const send = () => {
    const id = `probe-${randomBytes(4).toString('hex')}`;
    ids.push(id);
    void requester
      .publish({ requestId: id, contentType, body: Buffer.from('probe') })
      .then(() => void confirmed.push(id))
      .catch(() => undefined);
  };
  send();
  let last = Date.now();
  const served = await waitFor(
    () => {
      const done = ids.find((id) => requester.outcome(id) === 'SUCCESS');
      if (done) return requester.terminals(done)[0]!.at;
      if (Date.now() - last > 1000 && ids.length < 20) {
        last = Date.now();
        send();
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 20, what: 'a probe request served after the fault' },
  );
  return { ms: Math.max(0, served - since), ids: confirmed };
}
