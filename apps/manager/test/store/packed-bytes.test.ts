import { Client } from 'pg';
import { useTestNamespace } from '@org/testkit';
import { packBytes, sliceSql } from '../../src/requests/store/packed-bytes';

describe('packed bytes (payloads as one binary parameter)', () => {
  const ns = useTestNamespace('packed');

  it('packs items end to end, with -1 lengths for NULL', () => {
    const packed = packBytes([
      Buffer.from('ab'),
      null,
      Buffer.alloc(0),
      undefined,
      Buffer.from('c'),
    ]);
    expect(packed.blob.toString()).toBe('abc');
    expect(packed.offsets).toEqual([0, 2, 2, 2, 2]);
    expect(packed.lengths).toEqual([2, -1, 0, -1, 1]);
  });

  it('gives each row back its own bytes in SQL: NULL stays NULL, empty stays empty, any byte survives', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    const items = [every, null, Buffer.alloc(0), Buffer.from([0, 0, 255]), every.subarray(7, 9)];
    const packed = packBytes(items);
    const client = new Client({ connectionString: ns().databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number; item: Buffer | null }>(
        `SELECT u.n, ${sliceSql('$3', 'u.off', 'u.len')} AS item
         FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS u(off, len, n) ORDER BY u.n`,
        [packed.offsets, packed.lengths, packed.blob],
      );
      expect(rows.map((row) => row.item)).toEqual(items);
    } finally {
      await client.end();
    }
  });
});
