import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ManagerConfig,
  parseConfigYaml,
  resolvePolicy,
  routesOf,
  validateConfig,
  type ResolvedPolicy,
  type Route,
  type WorkerTypeConfig,
} from '@org/protocol';
import { DatabaseService } from '../database/database.service';
import { MANAGER_ENVIRONMENT } from './environment.tokens';
import { ConfigPreconditionError } from './config-precondition.error';
import { ConfigValidationError } from './config-validation.error';
import { type ManagerEnvironment } from './manager-environment';

/** Called after a new configuration is in effect on this replica. */
export type ConfigListener = (config: ManagerConfig, version: number) => Promise<void> | void;

interface StoredConfig {
  readonly version: number;
  readonly document: unknown;
}

const DEFAULT_POLICY: ResolvedPolicy = resolvePolicy({});

/** Concurrent imports retried before one gives up (each retry means another import succeeded). */
const MAX_STORE_ATTEMPTS = 10;

/**
 * The routing configuration, stored in the database (one row, a version number) so every replica
 * routes the same way. `replace()` (REST) stores a new one; every replica polls the version and
 * reloads on change. `WM_CONFIG` seeds it: applied at start only when its content changed since
 * it was last applied (or nothing is stored), so restarting with the same file keeps what an
 * operator imported through REST meanwhile, and editing the file still takes effect.
 */
@Injectable()
export class ConfigService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Config');
  private config = new ManagerConfig();
  private currentVersion = 0;
  private routeTable = new Map<string, Route>();
  private workers = new Map<string, WorkerTypeConfig>();
  private workflowPolicies = new Map<string, ResolvedPolicy>();
  private readonly listeners: ConfigListener[] = [];
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly database: DatabaseService,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {}

  async onModuleInit(): Promise<void> {
    const declared = await this.declaredConfig();
    if (declared) await this.seed(declared);
    const stored = await this.readStored();
    if (stored) this.use(this.validStored(stored), stored.version);
    this.poller = setInterval(() => void this.poll(), this.environment.configPollMs);
    this.poller.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.poller);
  }

  /** The configuration in effect on this replica. */
  current(): ManagerConfig {
    return this.config;
  }

  version(): number {
    return this.currentVersion;
  }

  /**
   * Validates and stores a new configuration, applies it here (topology included) and lets the
   * other replicas pick it up. Content identical to the stored configuration changes nothing
   * (same version). `precondition` (the HTTP `If-Match`) is checked against the stored version
   * atomically with the write. Throws {@link ConfigValidationError} when the document is invalid
   * and {@link ConfigPreconditionError} when the precondition fails; either changes nothing.
   */
  async replace(
    input: unknown,
    precondition?: (storedVersion: number) => boolean,
  ): Promise<{ version: number; config: ManagerConfig; changed: boolean }> {
    const result = validateConfig(input);
    if (!result.ok) throw new ConfigValidationError('replace', result.error.issues);
    const document = JSON.stringify(result.value);
    for (let attempt = 1; ; attempt++) {
      const observed = await this.storedVersion();
      if (precondition && !precondition(observed)) throw new ConfigPreconditionError(observed);
      const written = await this.compareAndStore(document, observed);
      if (written !== undefined) {
        await this.apply(result.value, written);
        return { version: written, config: result.value, changed: true };
      }
      const now = await this.storedVersion();
      if (now === observed) {
        // Identical content: nothing written. Catch up if this replica has not polled it yet.
        if (now > this.currentVersion) await this.apply(result.value, now);
        return { version: now, config: result.value, changed: false };
      }
      // Another writer got in between: decide again against what it wrote.
      if (attempt >= MAX_STORE_ATTEMPTS)
        throw new Error(`the configuration changed ${attempt} times during one import`);
    }
  }

  /** Runs `listener` after every change (not for the configuration loaded at start). */
  onChange(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  route(contentType: string): Route | undefined {
    return this.routeTable.get(contentType);
  }

  isSkipped(contentType: string): boolean {
    return this.config.skipContentTypes.includes(contentType);
  }

  /** Every configured worker type (their queues are part of the manager's topology). */
  workerTypes(): string[] {
    return [...this.workers.keys()];
  }

  worker(type: string): WorkerTypeConfig | undefined {
    return this.workers.get(type);
  }

  /** The failure policy of a request: its workflow's, else its worker type's, else the defaults. */
  policyFor(workflow: string | null | undefined, workerType: string): ResolvedPolicy {
    if (workflow) return this.workflowPolicies.get(workflow) ?? DEFAULT_POLICY;
    const worker = this.workers.get(workerType);
    return worker ? resolvePolicy(worker) : DEFAULT_POLICY;
  }

  private async declaredConfig(): Promise<ManagerConfig | undefined> {
    if (this.environment.config) {
      const result = validateConfig(JSON.parse(JSON.stringify(this.environment.config)));
      if (!result.ok) throw new ConfigValidationError('config option', result.error.issues);
      return result.value;
    }
    if (!this.environment.configPath) return undefined;
    let text: string;
    try {
      text = await readFile(this.environment.configPath, 'utf8');
    } catch (error) {
      throw new ConfigValidationError(this.environment.configPath, [
        { path: 'WM_CONFIG', message: `cannot be read: ${(error as Error).message}` },
      ]);
    }
    const result = parseConfigYaml(text);
    if (!result.ok)
      throw new ConfigValidationError(this.environment.configPath, result.error.issues);
    return result.value;
  }

  /**
   * Applies the declared configuration (`WM_CONFIG`, or the `config` option) when its content
   * differs from the one last applied from a file: the digest of the validated document is kept
   * beside the stored configuration. Replicas starting together with the same new file bump the
   * version once: the row lock makes the second see the digest the first wrote.
   */
  private async seed(config: ManagerConfig): Promise<void> {
    const document = JSON.stringify(config);
    const digest = createHash('sha256').update(document).digest('hex');
    const table = this.database.table('manager_config');
    const rows = await this.database.query<{ version: number }>(
      this.database.statement(
        'config-seed',
        `INSERT INTO ${table} AS c (id, version, document, source_sha256) VALUES (1, 1, $1::jsonb, $2)
         ON CONFLICT (id) DO UPDATE SET
           version = CASE WHEN c.document IS DISTINCT FROM EXCLUDED.document THEN c.version + 1 ELSE c.version END,
           document = EXCLUDED.document, source_sha256 = EXCLUDED.source_sha256, updated_at = now()
           WHERE c.source_sha256 IS DISTINCT FROM EXCLUDED.source_sha256
         RETURNING version`,
      ),
      [document, digest],
    );
    if (rows[0]) {
      this.logger.log(`configuration from WM_CONFIG applied as version ${rows[0].version}`);
    } else {
      this.logger.log(
        'WM_CONFIG unchanged since it was last applied: the stored configuration stays in effect',
      );
    }
  }

  /**
   * Writes `document` as the next version if the stored version is still `observed` (0: none
   * stored) and the content differs. Returns the new version, or undefined when nothing was
   * written (identical content, or another writer was first).
   */
  private async compareAndStore(document: string, observed: number): Promise<number | undefined> {
    const table = this.database.table('manager_config');
    const rows = await this.database.query<{ version: number }>(
      this.database.statement(
        'config-compare-and-store',
        `INSERT INTO ${table} AS c (id, version, document) VALUES (1, 1, $1::jsonb)
         ON CONFLICT (id) DO UPDATE SET version = c.version + 1, document = EXCLUDED.document, updated_at = now()
           WHERE c.version = $2 AND c.document IS DISTINCT FROM EXCLUDED.document
         RETURNING version`,
      ),
      [document, observed],
    );
    if (rows[0]) this.logger.log(`configuration version ${rows[0].version} stored`);
    return rows[0]?.version;
  }

  /** The stored version, 0 when none is stored. */
  private async storedVersion(): Promise<number> {
    const rows = await this.database.query<{ version: number }>(
      this.database.statement(
        'config-version',
        `SELECT version FROM ${this.database.table('manager_config')} WHERE id = 1`,
      ),
      [],
    );
    return rows[0]?.version ?? 0;
  }

  private async readStored(): Promise<StoredConfig | undefined> {
    const rows = await this.database.query<StoredConfig>(
      this.database.statement(
        'config-read',
        `SELECT version, document FROM ${this.database.table('manager_config')} WHERE id = 1`,
      ),
      [],
    );
    return rows[0];
  }

  private validStored(stored: StoredConfig): ManagerConfig {
    const result = validateConfig(stored.document);
    if (!result.ok)
      throw new ConfigValidationError(`stored version ${stored.version}`, result.error.issues);
    return result.value;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const version = await this.storedVersion();
      if (version === 0 || version === this.currentVersion) return;
      const stored = await this.readStored();
      if (stored && stored.version !== this.currentVersion)
        await this.apply(this.validStored(stored), stored.version);
    } catch (error) {
      this.logger.warn(`configuration poll failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private async apply(config: ManagerConfig, version: number): Promise<void> {
    if (version < this.currentVersion) return;
    this.use(config, version);
    this.logger.log(`configuration version ${version} in effect`);
    for (const listener of this.listeners) await listener(config, version);
  }

  private use(config: ManagerConfig, version: number): void {
    this.config = config;
    this.currentVersion = version;
    this.routeTable = routesOf(config);
    this.workers = new Map(config.workers.map((worker) => [worker.type, worker]));
    this.workflowPolicies = new Map(
      config.workflows.map((workflow) => [workflow.type, resolvePolicy(workflow)]),
    );
  }
}
