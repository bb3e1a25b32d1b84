/** Injection token of the {@link HttpOptions}. */
export const HTTP_OPTIONS = Symbol('HTTP_OPTIONS');
/** Injection token of the pino logger. */
export const LOGGER = Symbol('LOGGER');
