/** Jest global teardown: stops the containers global setup started, if any. */
export default async function globalTeardown(): Promise<void> {
  const containers = globalThis.__testkitContainers ?? [];
  globalThis.__testkitContainers = [];
  await Promise.all(containers.map((container) => container.stop()));
}
