/**
 * Why the broker said no. `auth`: wrong user or password; `permission`: the user may not use the
 * virtual host, exchange or queue; `not-found`: a passive check found nothing (the queue was not
 * declared); `precondition`: a declaration differs from what exists (other queue arguments);
 * `refused`: any other reply code.
 */
export type RefusalKind = 'auth' | 'permission' | 'not-found' | 'precondition' | 'refused';

export interface BrokerRefusal {
  readonly kind: RefusalKind;
  /** The AMQP reply code (403, 404, 406, 530, …), when the broker sent one. */
  readonly code?: number;
}

const CODE_KINDS: Readonly<Record<number, RefusalKind>> = {
  403: 'permission',
  404: 'not-found',
  405: 'permission',
  406: 'precondition',
  530: 'permission',
};

/**
 * Tells a refusal by the broker (retrying the same thing will not help) from a network failure
 * (it may): undefined for the latter. Reads amqplib's errors: channel errors carry the reply
 * code; refusals during the connection handshake only say it in their message.
 */
export function brokerRefusal(error: unknown): BrokerRefusal | undefined {
  if (!(error instanceof Error)) return undefined;
  const message = error.message;
  // The login itself refused: amqplib says "Handshake terminated by server: 403 (ACCESS-REFUSED)".
  if (/Handshake terminated by server: 403\b/.test(message) || /Login was refused/.test(message)) {
    return { kind: 'auth', code: 403 };
  }
  // The virtual host refused after login (missing, or no permission on it): the broker closes
  // the connection instead of opening it.
  if (message.includes('Expected ConnectionOpenOk; got <ConnectionClose')) {
    return { kind: 'permission', code: 530 };
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && code >= 300 && code < 600) {
    return { kind: CODE_KINDS[code] ?? 'refused', code };
  }
  const quoted =
    /\b([3-5]\d\d) \((ACCESS-REFUSED|NOT-FOUND|PRECONDITION-FAILED|NOT-ALLOWED|RESOURCE-LOCKED)\)/.exec(
      message,
    );
  if (quoted) {
    const replyCode = Number(quoted[1]);
    return { kind: CODE_KINDS[replyCode] ?? 'refused', code: replyCode };
  }
  return undefined;
}
