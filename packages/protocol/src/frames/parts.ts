import { HEADERS } from '../headers';
import { FIELDS, HeaderReader, metaHeaders, propertyText } from '../messages/header-fields';
import { parsed, rejected, type ParseResult, type ValidationIssue } from '../validation';
import { decodeFrame, encodeFrame } from './frame-codec';
import { type FrameLimits } from './frame-limits';

/**
 * Fan-in bodies (design 5.4): a job of a step with several parents carries their outputs as
 * parts, in the 5.2 frame layout, with AMQP `contentType` `application/vnd.wm.parts`. Each part's
 * header names its step (`wm-step-id`) and carries its business content type, its MIME type
 * (`contentType`) and its `wm-meta-*`. A request with several sink steps gets the same as its
 * SUCCESS body.
 */

/** One parent's output, as a fan-in body carries it. */
export interface Part {
  /** The step that produced it (`wm-step-id`). */
  readonly stepId: string;
  /** Business content type of the output (`wm-content-type`). */
  readonly contentType: string;
  /** MIME type of the output. */
  readonly mimeType?: string;
  /** The output's `wm-meta-*` headers. */
  readonly meta: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type PartInput = Omit<Part, 'meta'> & { readonly meta?: Readonly<Record<string, string>> };

/** The body of a fan-in job (send it with AMQP `contentType` `PARTS_CONTENT_TYPE`). */
export function buildParts(parts: readonly PartInput[], limits?: FrameLimits): Buffer {
  const seen = new Set<string>();
  for (const part of parts) {
    if (seen.has(part.stepId)) throw new TypeError(`parts: step "${part.stepId}" appears twice`);
    seen.add(part.stepId);
  }
  return encodeFrame(
    parts.map((part) => ({
      header: {
        ...(part.mimeType === undefined ? {} : { contentType: part.mimeType }),
        [HEADERS.stepId]: part.stepId,
        [HEADERS.contentType]: part.contentType,
        ...metaHeaders(part.meta),
      },
      body: part.body,
    })),
    limits,
  );
}

/**
 * Reads a fan-in body into its parts (bodies are views into `body`, not copies). Fails with every
 * problem when the frame is malformed, a part lacks its step id or content type, or a step
 * appears twice.
 */
export function parseParts(body: Buffer, limits?: FrameLimits): ParseResult<readonly Part[]> {
  const frame = decodeFrame(body, limits);
  if (!frame.ok) return rejected('fan-in parts', [{ path: 'body', message: frame.reason }]);
  const issues: ValidationIssue[] = [];
  const parts: Part[] = [];
  const seen = new Set<string>();
  for (const [index, item] of frame.items.entries()) {
    const reader = new HeaderReader(item.header);
    const stepId = reader.required(FIELDS.stepId);
    const contentType = reader.required(FIELDS.contentType);
    const meta = reader.meta();
    for (const issue of reader.issues)
      issues.push({ ...issue, path: `parts[${index}].${issue.path}` });
    if (stepId === undefined || contentType === undefined) continue;
    if (seen.has(stepId)) {
      issues.push({
        path: `parts[${index}].headers.${HEADERS.stepId}`,
        message: `"${stepId}" appears twice`,
      });
      continue;
    }
    seen.add(stepId);
    parts.push({
      stepId,
      contentType,
      mimeType: propertyText(item.header['contentType']),
      meta,
      body: item.body,
    });
  }
  return issues.length > 0 ? rejected('fan-in parts', issues) : parsed(parts);
}
