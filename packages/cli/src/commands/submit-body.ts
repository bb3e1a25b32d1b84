import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../exit-codes';

/** One request as `POST /api/v1/requests` takes it. */
export interface SubmitBody {
  contentType?: string;
  payload?: unknown;
  payloadBase64?: string;
  mimeType?: string;
  requestId?: string;
  tenant?: string;
  owner?: string;
  session?: string;
  priority?: number;
  notBefore?: string;
  deadline?: string;
  notify?: string;
  callbackUrl?: string;
  callbackEvents?: string;
}

/** The submit options that become request fields (flags of `wm submit`). */
export interface RequestFlags {
  readonly contentType?: string;
  readonly mime?: string;
  readonly id?: string;
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  readonly priority?: string;
  readonly notBefore?: string;
  readonly deadline?: string;
  readonly notify?: string;
  readonly callbackUrl?: string;
  readonly callbackEvents?: string;
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.pdf': 'application/pdf',
};

/** The request fields the flags set (metadata, priority, times); those not given stay out. */
export function fieldsFromFlags(flags: RequestFlags): SubmitBody {
  const body: SubmitBody = {};
  if (flags.contentType !== undefined) body.contentType = flags.contentType;
  if (flags.id !== undefined) body.requestId = flags.id;
  if (flags.tenant !== undefined) body.tenant = flags.tenant;
  if (flags.owner !== undefined) body.owner = flags.owner;
  if (flags.session !== undefined) body.session = flags.session;
  if (flags.notBefore !== undefined) body.notBefore = flags.notBefore;
  if (flags.deadline !== undefined) body.deadline = flags.deadline;
  if (flags.notify !== undefined) body.notify = flags.notify;
  if (flags.callbackUrl !== undefined) body.callbackUrl = flags.callbackUrl;
  if (flags.callbackEvents !== undefined) body.callbackEvents = flags.callbackEvents;
  if (flags.priority !== undefined) {
    const priority = Number(flags.priority);
    if (!Number.isInteger(priority)) {
      throw new CliError(`--priority must be an integer 0-9, not "${flags.priority}"`, EXIT.usage);
    }
    body.priority = priority;
  }
  return body;
}

/**
 * The payload: a JSON literal argument, or `--file` (a path, or `-` for stdin) sent as bytes
 * with its MIME type (`--mime`, else guessed from the extension, else the manager's default).
 */
export function payloadFields(
  literal: string | undefined,
  file: string | undefined,
  mime: string | undefined,
): SubmitBody {
  if (literal !== undefined && file !== undefined) {
    throw new CliError('give the payload as an argument or with --file, not both', EXIT.usage);
  }
  if (literal !== undefined) {
    try {
      return { payload: JSON.parse(literal) as unknown, ...(mime ? { mimeType: mime } : {}) };
    } catch (error) {
      throw new CliError(
        `the payload argument is not JSON: ${(error as Error).message}`,
        EXIT.usage,
      );
    }
  }
  if (file === undefined) {
    throw new CliError(
      'no payload: give a JSON literal, --file <path> or --file - (stdin)',
      EXIT.usage,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    throw new CliError(
      `cannot read ${file === '-' ? 'stdin' : file}: ${(error as Error).message}`,
      EXIT.usage,
    );
  }
  const mimeType =
    mime ?? (file === '-' ? undefined : MIME_BY_EXTENSION[path.extname(file).toLowerCase()]);
  return { payloadBase64: bytes.toString('base64'), ...(mimeType ? { mimeType } : {}) };
}
