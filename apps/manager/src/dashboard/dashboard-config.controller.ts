import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsInt, IsString, MaxLength, Min } from 'class-validator';
import { stringify } from 'yaml';
import { parseConfigYaml } from '@org/protocol';
import { ConfigPreconditionError } from '../config/config-precondition.error';
import { ConfigService } from '../config/config.service';
import { ApiException } from '../http/api-error';
import { PublicRoute } from '../security/access.decorator';
import { AuditLog } from './audit-log.service';
import { DashboardAccessGuard, type DashboardRequest } from './dashboard-access.guard';
import { type DiffLine, lineDiff } from './config-diff';

/** Largest document the page may send (the API's body limit applies too). */
const MAX_DOCUMENT_CHARS = 1_000_000;

export class ConfigDocumentDto {
  /** The new configuration, YAML or JSON. */
  @IsString()
  @MaxLength(MAX_DOCUMENT_CHARS)
  document!: string;
}

export class ConfigImportDto extends ConfigDocumentDto {
  /** The version the operator previewed against: the import fails if another came since. */
  @IsInt()
  @Min(0)
  version!: number;
}

/** A preview: every problem with its path, or the diff against the configuration in effect. */
export type ConfigPreview =
  | { readonly ok: false; readonly issues: ReadonlyArray<{ path: string; message: string }> }
  | { readonly ok: true; readonly diff: DiffLine[]; readonly changed: boolean };

/**
 * The configuration page: the document in effect with its version, a preview of an import
 * (validation errors by path, or a diff), and the import itself through `ConfigService.replace`
 * with the previewed version as its precondition (the REST API's If-Match), audited.
 */
@ApiExcludeController()
@PublicRoute()
@UseGuards(DashboardAccessGuard)
@Controller('dashboard/api/config')
export class DashboardConfigController {
  constructor(
    private readonly config: ConfigService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  current(): { version: number; yaml: string } {
    return { version: this.config.version(), yaml: yamlOf(this.config.current()) };
  }

  @Post('preview')
  @HttpCode(HttpStatus.OK)
  preview(@Body() body: ConfigDocumentDto): ConfigPreview {
    const parsed = parseConfigYaml(body.document);
    if (!parsed.ok)
      return {
        ok: false,
        issues: parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
      };
    const diff = lineDiff(yamlOf(this.config.current()), yamlOf(parsed.value));
    return { ok: true, diff, changed: diff.some((line) => line.kind !== ' ') };
  }

  @Post('import')
  @HttpCode(HttpStatus.OK)
  async import(
    @Body() body: ConfigImportDto,
    @Req() request: DashboardRequest,
  ): Promise<{ version: number; yaml: string }> {
    const parsed = parseConfigYaml(body.document);
    if (!parsed.ok) {
      throw new ApiException(
        HttpStatus.BAD_REQUEST,
        'invalid_configuration',
        `the configuration was not changed: ${parsed.error.issues.length} problem(s)`,
        parsed.error.issues,
      );
    }
    const actor = request.dashboardPrincipal?.name ?? 'anonymous';
    try {
      const result = await this.audit.run(
        { actor, action: 'config-import', target: { fromVersion: body.version } },
        () => this.config.replace(parsed.value, (stored) => stored === body.version),
      );
      return { version: result.version, yaml: yamlOf(result.config) };
    } catch (error) {
      if (error instanceof ConfigPreconditionError) {
        throw new ApiException(
          HttpStatus.PRECONDITION_FAILED,
          'precondition_failed',
          `the configuration changed meanwhile (now version ${error.storedVersion}, you previewed ${body.version}): reload, preview again and apply`,
        );
      }
      throw error;
    }
  }
}

/** The document as YAML, from its plain JSON form (what the REST API exports). */
function yamlOf(config: object): string {
  return stringify(JSON.parse(JSON.stringify(config)));
}
