import { ApiClient } from './client/api-client';
import { resolveSettings } from './settings';
import { processTerminal, type Terminal } from './output/terminal';

/** What every command runs with: the REST client and the terminal. */
export interface CommandContext {
  readonly client: ApiClient;
  readonly terminal: Terminal;
}

/** The global options, as commander parses them. */
export interface GlobalOptions {
  readonly url?: string;
  readonly apiKey?: string;
  readonly config?: string;
  readonly timeout?: string;
  readonly json?: boolean;
  readonly color?: boolean;
}

export function commandContext(options: GlobalOptions): CommandContext {
  return {
    client: new ApiClient(resolveSettings(options, process.env)),
    terminal: processTerminal({ json: options.json === true, color: options.color !== false }),
  };
}
