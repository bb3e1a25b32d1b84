import http from 'node:http';
import https from 'node:https';
import { type BlockList } from 'node:net';
import { RefusedAddressError, resolveTarget } from './address-guard';

/** Limits of one webhook call. */
export interface SendOptions {
  /** Connection to status line, for each hop. */
  readonly timeoutMs: number;
  /** Response bytes read (for the error message); the rest is cut off. */
  readonly maxResponseBytes: number;
  /** Private addresses allowed (`allowedRanges`). */
  readonly allowed: BlockList;
  /** 307/308 redirects followed, each target checked like the first. @default 3 */
  readonly maxRedirects?: number;
}

/** How one attempt ended. */
export type SendResult =
  | { readonly outcome: 'delivered'; readonly status: number; readonly note?: string }
  /** Worth another attempt later (network error, timeout, non-2xx answer). */
  | { readonly outcome: 'retry'; readonly status: number | null; readonly error: string }
  /** Never worth another attempt (a refused address or scheme). */
  | { readonly outcome: 'refused'; readonly status: number | null; readonly error: string };

const FOLLOWED = new Set([307, 308]);

/**
 * POSTs `body` to `url`: connects to the address the guard checked (pinned), gives up after the
 * timeout, reads at most `maxResponseBytes` of the answer and cuts the rest off. Redirects are
 * not followed blindly: only 307 and 308 (which keep the POST and its body), at most
 * `maxRedirects`, each new target resolved and checked again; any other 3xx is a failure.
 */
export async function sendWebhook(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  options: SendOptions,
): Promise<SendResult> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    let answer: { status: number; location: string | undefined; text: string; cut: boolean };
    try {
      const resolved = await resolveTarget(target, options.allowed);
      answer = await post(target, resolved.address, resolved.family, body, headers, options);
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof RefusedAddressError) {
        return {
          outcome: 'refused',
          status: null,
          error: hop > 0 ? `redirected to ${target.href}: ${message}` : message,
        };
      }
      return { outcome: 'retry', status: null, error: message };
    }
    const { status } = answer;
    if (status >= 200 && status < 300) {
      return answer.cut
        ? {
            outcome: 'delivered',
            status,
            note: `response cut off at ${options.maxResponseBytes} bytes`,
          }
        : { outcome: 'delivered', status };
    }
    if (status >= 300 && status < 400) {
      if (!FOLLOWED.has(status) || !answer.location) {
        return {
          outcome: 'retry',
          status,
          error: `redirect ${status} not followed: only 307 and 308 (which keep the POST) are`,
        };
      }
      if (hop >= (options.maxRedirects ?? 3)) {
        return {
          outcome: 'retry',
          status,
          error: `more than ${options.maxRedirects ?? 3} redirects`,
        };
      }
      target = new URL(answer.location, target);
      continue;
    }
    const excerpt = answer.text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return { outcome: 'retry', status, error: `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}` };
  }
}

function post(
  url: URL,
  address: string,
  family: 4 | 6,
  body: string,
  headers: Readonly<Record<string, string>>,
  options: SendOptions,
): Promise<{ status: number; location: string | undefined; text: string; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Connect to the checked address, whatever DNS says now (the Host header and TLS
        // server name still come from the URL).
        lookup: (_hostname, _options, callback) => callback(null, address, family),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = (cut: boolean): void => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location,
            text: Buffer.concat(chunks).toString('utf8'),
            cut,
          });
        };
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxResponseBytes) {
            chunks.push(chunk.subarray(0, chunk.length - (size - options.maxResponseBytes)));
            response.destroy();
            request.destroy();
            finish(true);
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => finish(false));
        response.on('error', () => finish(size > options.maxResponseBytes));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(
        new Error(`no answer within ${options.timeoutMs} ms (WM_WEBHOOK_TIMEOUT_MS)`),
      );
    }, options.timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}
