/** The socket under an amqplib connection (amqplib does not type it), for testing hooks. */
export function socketOf(
  model: { readonly connection: unknown } | undefined,
): { destroy(error?: Error): void } | undefined {
  const connection = model?.connection;
  if (typeof connection !== 'object' || connection === null || !('stream' in connection))
    return undefined;
  const stream = connection.stream;
  if (typeof stream !== 'object' || stream === null || !('destroy' in stream)) return undefined;
  return stream as { destroy(error?: Error): void };
}
