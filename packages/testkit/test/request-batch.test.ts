import { assertTopology, managerTopology, parseRequestBatch } from '@org/protocol';
import { MessageCollector, publishRequestBatch, useTestNamespace } from '../src/index';

describe('publishRequestBatch', () => {
  const ns = useTestNamespace();

  it('publishes confirmed request batches, split by the frame limits, that parse back item by item', async () => {
    await assertTopology(ns().channel, managerTopology(ns().names, []));
    const requests = await MessageCollector.start(ns().channel, ns().names.exchanges.requests);
    const inputs = Array.from({ length: 5 }, (_, index) => ({
      requestId: `batch-${index}`,
      contentType: 'text/echo',
      tenant: 'acme',
      body: Buffer.from(`payload ${index}`),
    }));
    expect(await publishRequestBatch(ns(), inputs, { maxItems: 2 })).toEqual([2, 2, 1]);
    const messages = await requests.waitFor(3);
    const items = messages.flatMap((message) => {
      expect(message.fields.routingKey).toBe('text/echo');
      const batch = parseRequestBatch(message);
      if (!batch.ok) throw batch.error;
      return batch.value.map((item) => {
        if (!item.parsed.ok) throw item.parsed.error;
        return item.parsed.value;
      });
    });
    expect(
      items.map((request) => [request.requestId, request.tenant, request.body.toString()]),
    ).toEqual(inputs.map((input) => [input.requestId, 'acme', input.body.toString()]));
  });
});
