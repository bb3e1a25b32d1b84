/** Where the kit logs: the SDK's logger fits as is, the manager adapts its Nest logger. */
export interface ConnectionLogger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}
