import { runJob } from '@org/worker-sdk/testing';
import { FEATURE_CONTENT_TYPE, featureAssemblerWorker } from '../src/feature-assembler.worker';

const described = {
  type: 'Feature',
  id: 'abc',
  geometry: null,
  properties: { format: 'geojson', location: '/data/store/a.json' },
};
const checksums = {
  location: '/data/store/a.json',
  size: 7,
  sha256: 'a'.repeat(64),
  md5: 'b'.repeat(32),
  matchesMover: true,
};

describe('feature assembler (a fan-in job through the SDK test harness)', () => {
  it('assembles the Feature from job.inputs, whatever the steps are called', async () => {
    const run = await runJob(featureAssemblerWorker(), {
      stepId: 'publish',
      inputs: {
        describe: { json: described, contentType: 'product/described' },
        sum: { json: checksums, contentType: 'product/checksum' },
      },
    });
    expect(run.status).toBe('SUCCESS');
    expect(run.contentType).toBe(FEATURE_CONTENT_TYPE);
    expect(run.mimeType).toBe('application/geo+json');
    expect(run.json()).toEqual({
      ...described,
      properties: {
        ...described.properties,
        checksums: { sha256: 'a'.repeat(64), md5: 'b'.repeat(32), size: 7 },
        verified: true,
      },
    });
  });

  it('refuses a job that is not a fan-in, or lacks an input, with the reason', async () => {
    const plain = await runJob(featureAssemblerWorker(), { json: described });
    expect(plain.status).toBe('INVALID_CONTENT');
    expect(plain.messages[0]).toContain('fan-in');
    const missing = await runJob(featureAssemblerWorker(), {
      inputs: { describe: { json: described, contentType: 'product/described' } },
    });
    expect(missing.status).toBe('INVALID_CONTENT');
    expect(missing.messages[0]).toContain('product/checksum');
  });
});
