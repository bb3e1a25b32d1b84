import { Injectable } from '@nestjs/common';
import { DatabaseService, type Statement, type Tx } from '../database/database.service';
import { LivenessDatabase } from './liveness-database';
import { type RegistrationWrite } from './worker-message-batch';

/** The latest registration of a worker type, as stored. */
export interface RegistrationRecord {
  readonly type: string;
  /** The instance whose registration this is. */
  readonly instanceId: string;
  readonly description: string | null;
  readonly version: string | null;
  readonly contract: string | null;
  readonly contentTypes: readonly string[];
  /** JSON Schema of the job payload, when the worker sent one. */
  readonly schema: Record<string, unknown> | null;
  /** When it was stored, by the database's clock. */
  readonly registeredAt: Date;
  /** Changes with every registration stored for the type: a reader refetches when it differs. */
  readonly revision: number;
}

interface RegistrationRow {
  type: string;
  instance_id: string;
  description: string | null;
  version: string | null;
  contract: string | null;
  content_types: string[];
  payload_schema: Record<string, unknown> | null;
  registered_at: Date;
  revision: string;
}

/** Owns every statement on `worker_registrations`: per worker type, its latest registration. */
@Injectable()
export class RegistrationRepository {
  private readonly upsert: Statement;
  private readonly revisions: Statement;
  private readonly byTypes: Statement;

  constructor(
    db: DatabaseService,
    private readonly connections: LivenessDatabase,
  ) {
    const t = db.table('worker_registrations');
    const revision = `nextval('${db.table('worker_registration_revision')}')`;
    this.upsert = db.statement(
      'registrations:upsert',
      `INSERT INTO ${t} AS g
         (type, instance_id, description, version, contract, content_types, payload_schema, registered_at, revision)
       SELECT r.type, r.instance_id, r.description, r.version, r.contract,
              ARRAY(SELECT jsonb_array_elements_text(r.content_types)), r.payload_schema, now(), ${revision}
       FROM jsonb_to_recordset($1::jsonb) AS r(type text, instance_id text, description text,
              version text, contract text, content_types jsonb, payload_schema jsonb)
       ON CONFLICT (type) DO UPDATE SET instance_id = EXCLUDED.instance_id,
         description = EXCLUDED.description, version = EXCLUDED.version,
         contract = EXCLUDED.contract, content_types = EXCLUDED.content_types,
         payload_schema = EXCLUDED.payload_schema, registered_at = now(), revision = ${revision}`,
    );
    this.revisions = db.statement('registrations:revisions', `SELECT type, revision FROM ${t}`);
    this.byTypes = db.statement(
      'registrations:by-types',
      `SELECT type, instance_id, description, version, contract, content_types, payload_schema,
              registered_at, revision
       FROM ${t} WHERE type = ANY($1::text[])`,
    );
  }

  /** Stores one batch's registrations (one per type) inside the caller's transaction. */
  async write(tx: Tx, registrations: readonly RegistrationWrite[]): Promise<void> {
    if (registrations.length === 0) return;
    await tx.query(this.upsert, [
      JSON.stringify(
        registrations.map((registration) => ({
          type: registration.type,
          instance_id: registration.instanceId,
          description: registration.description ?? null,
          version: registration.version ?? null,
          contract: registration.contract ?? null,
          content_types: registration.contentTypes,
          payload_schema: registration.schema ?? null,
        })),
      ),
    ]);
  }

  /**
   * The revision of every type's registration: cheap to read often (a reader compares them with
   * what it holds, which sequence order alone could not tell, as transactions commit out of order).
   */
  async revisionsByType(): Promise<Map<string, number>> {
    const rows = await this.connections.query<{ type: string; revision: string }>(
      this.revisions,
      [],
    );
    return new Map(rows.map((row) => [row.type, Number(row.revision)]));
  }

  /** The registrations of `types` (those with none are absent). */
  async find(types: readonly string[]): Promise<RegistrationRecord[]> {
    if (types.length === 0) return [];
    const rows = await this.connections.query<RegistrationRow>(this.byTypes, [types]);
    return rows.map((row) => ({
      type: row.type,
      instanceId: row.instance_id,
      description: row.description,
      version: row.version,
      contract: row.contract,
      contentTypes: row.content_types,
      schema: row.payload_schema,
      registeredAt: row.registered_at,
      revision: Number(row.revision),
    }));
  }
}
