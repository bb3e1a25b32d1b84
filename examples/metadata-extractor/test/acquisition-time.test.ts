import { acquisitionTimeOf, normalizeTime } from '../src/formats/acquisition-time';

describe('acquisition time', () => {
  it('reads TIFF and ISO forms, as UTC when no zone is given', () => {
    expect(normalizeTime('2024:01:02 03:04:05\0')).toBe('2024-01-02T03:04:05.000Z');
    expect(normalizeTime('2024-01-02T03:04:05+02:00')).toBe('2024-01-02T01:04:05.000Z');
    expect(normalizeTime('2024-01-02T03:04:05')).toBe('2024-01-02T03:04:05.000Z');
    expect(normalizeTime('yesterday')).toBeUndefined();
    expect(normalizeTime(42)).toBeUndefined();
  });

  it('prefers GDAL acquisition metadata over TIFF date tags', () => {
    expect(
      acquisitionTimeOf({ acquisition_datetime: '2023-05-06T07:08:09Z' }, ['2024:01:02 03:04:05']),
    ).toBe('2023-05-06T07:08:09.000Z');
    expect(acquisitionTimeOf(null, [undefined, '2024:01:02 03:04:05'])).toBe(
      '2024-01-02T03:04:05.000Z',
    );
    expect(acquisitionTimeOf({ OTHER: 'x' }, [])).toBeUndefined();
  });
});
