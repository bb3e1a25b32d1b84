import { once } from 'node:events';
import { type HttpResponse } from '../http/http-types';
import { type RequestSummary } from '../requests/request-views';

/** Columns of the CSV export, in order. */
const CSV_COLUMNS = [
  'id',
  'state',
  'contentType',
  'workerType',
  'workflow',
  'step',
  'attempt',
  'priority',
  'tenant',
  'owner',
  'session',
  'parentId',
  'createdAt',
  'updatedAt',
  'messages',
] as const satisfies ReadonlyArray<keyof RequestSummary>;

/** Writes pages of requests as CSV (RFC 4180) or a JSON array, honouring back-pressure. */
export async function exportRows(
  pages: AsyncIterable<RequestSummary[]>,
  format: 'csv' | 'json',
  response: HttpResponse,
): Promise<void> {
  const write = async (text: string) => {
    if (!response.write(text)) await once(response, 'drain');
  };
  let first = true;
  await write(format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : '[');
  for await (const page of pages) {
    for (const row of page) {
      if (format === 'csv')
        await write(`${CSV_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`);
      else await write(`${first ? '' : ','}\n${JSON.stringify(row)}`);
      first = false;
    }
  }
  response.end(format === 'csv' ? '' : '\n]\n');
}

function csvField(value: string | number | string[] | null): string {
  const text = Array.isArray(value) ? value.join('; ') : value === null ? '' : String(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote it behind an apostrophe.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}
