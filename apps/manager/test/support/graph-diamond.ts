import { parseParts, PARTS_CONTENT_TYPE, type DeliveredJob } from '@org/protocol';

/** The diamond of the graph workflow tests: move, then describe and sum in parallel, then join. */
export const diamondConfig = {
  workers: [
    { type: 'g-move', output: 'product/stored' },
    { type: 'g-describe', output: 'product/described' },
    { type: 'g-sum', output: 'product/checksum' },
    { type: 'g-join', output: 'product/feature' },
  ],
  workflows: [
    {
      type: 'product/diamond',
      steps: [
        { id: 'move', worker: 'g-move' },
        { id: 'describe', worker: 'g-describe', after: ['move'] },
        { id: 'sum', worker: 'g-sum', after: ['move'] },
        { id: 'join', worker: 'g-join', after: ['describe', 'sum'] },
      ],
    },
  ],
};

/** The fan-in body as the join step received it: step id → text. */
export function partsOf(job: DeliveredJob): Record<string, string> {
  if (job.mimeType !== PARTS_CONTENT_TYPE)
    throw new Error(`a fan-in job comes as ${PARTS_CONTENT_TYPE}, not ${job.mimeType ?? 'none'}`);
  const parts = parseParts(job.body);
  if (!parts.ok) throw parts.error;
  return Object.fromEntries(parts.value.map((part) => [part.stepId, part.body.toString()]));
}
