import { type Channel } from 'amqplib';
import { buildRequest, type Names } from '@org/protocol';

/** Publishes `count` requests `<prefix>-<n>` as fast as the channel takes them (respecting its back-pressure). */
export async function publishMany(
  channel: Channel,
  names: Names,
  prefix: string,
  count: number,
  contentType: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const id = `${prefix}-${index}`;
    ids.push(id);
    const message = buildRequest(names, {
      requestId: id,
      contentType,
      body: Buffer.from(`payload ${index}`),
    });
    if (!channel.publish(message.exchange, message.routingKey, message.content, message.options)) {
      await new Promise((resolve) => channel.once('drain', resolve));
    }
  }
  return ids;
}
