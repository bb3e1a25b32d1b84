/** GDAL metadata items that carry an acquisition time, most specific first (compared upper-case). */
const GDAL_TIME_KEYS = [
  'ACQUISITION_DATETIME',
  'ACQUISITIONDATETIME',
  'ACQUISITION_TIME',
  'DATETIME',
  'TIFFTAG_DATETIME',
];

/** JSON product properties that carry an acquisition time (STAC's `datetime` first). */
export const JSON_TIME_KEYS = [
  'datetime',
  'acquisitionTime',
  'acquisition_time',
  'acquired',
  'start_datetime',
];

/**
 * An ISO 8601 timestamp from the forms products use: ISO 8601 itself, or TIFF's
 * `YYYY:MM:DD HH:MM:SS` (which has no zone; read as UTC, as GDAL and most producers write it).
 * `undefined` for anything unparseable: a bad timestamp is not a reason to refuse a product.
 */
export function normalizeTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/\0+$/, '').trim();
  const tiff = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const iso = tiff ? `${tiff[1]}-${tiff[2]}-${tiff[3]}T${tiff[4]}:${tiff[5]}:${tiff[6]}Z` : text;
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso)) return undefined;
  const time = Date.parse(
    /[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`,
  );
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The first acquisition time found in GDAL metadata items, then in TIFF date tags. */
export function acquisitionTimeOf(
  gdalMetadata: Readonly<Record<string, unknown>> | null,
  tiffDates: ReadonlyArray<unknown>,
): string | undefined {
  const items = Object.entries(gdalMetadata ?? {}).map(
    ([key, value]) => [key.toUpperCase(), value] as const,
  );
  for (const key of GDAL_TIME_KEYS) {
    const found = normalizeTime(items.find(([name]) => name === key)?.[1]);
    if (found) return found;
  }
  for (const value of tiffDates) {
    const found = normalizeTime(value);
    if (found) return found;
  }
  return undefined;
}
