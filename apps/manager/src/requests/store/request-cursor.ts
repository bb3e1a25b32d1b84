import { InvalidCursorError } from '../request-errors';
import { type RequestSort } from '../request-filter';

/** Where the previous page ended: the sort key (the exact timestamp, microseconds included) and the id. */
export interface RequestCursor {
  readonly sort: RequestSort;
  readonly key: string;
  readonly id: string;
}

/** The sort key's form: UTC with microseconds, as `sortKeySql` renders it. */
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** SQL rendering a timestamptz column as an exact, re-parseable sort key. */
export function sortKeySql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export function encodeCursor(cursor: RequestCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id]), 'utf8').toString(
    'base64url',
  );
}

/** Decodes a cursor made by {@link encodeCursor} for the same sort; anything else is refused. */
export function decodeCursor(text: string, sort: RequestSort): RequestCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 3 ||
    !decoded.every((part) => typeof part === 'string') ||
    !SORT_KEY.test(String(decoded[1]))
  ) {
    throw invalidCursor('cursor is not one this API returned; start again without it');
  }
  const [cursorSort, key, id] = decoded as [string, string, string];
  if (cursorSort !== sort)
    throw invalidCursor(
      `cursor was made for sort=${cursorSort}, not sort=${sort}; keep the sort while paging`,
    );
  return { sort, key, id };
}

function invalidCursor(message: string): InvalidCursorError {
  return new InvalidCursorError(message);
}
