import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type ManagerConfig } from '@org/protocol';
import { ApiErrorBody, ApiException } from '../http/api-error';
import { type HttpResponse } from '../http/http-types';
import { ifMatchAllows, parseIfMatch } from '../http/if-match';
import { ConfigService } from './config.service';
import { ConfigPreconditionError } from './config-precondition.error';
import { ConfigValidationError } from './config-validation.error';
import { CONFIG_DOCUMENT_SCHEMA } from './dto/config-document.schema';

const VERSION_HEADERS = {
  ETag: {
    description: 'The version in effect as a strong entity tag ("7"); send it back in If-Match.',
    schema: { type: 'string' },
  },
  'X-Config-Version': { description: 'The version in effect.', schema: { type: 'integer' } },
};

/** The entity tag of a configuration version. */
function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * Export and import of the routing configuration. The body of GET is exactly what PUT accepts;
 * the version in effect is in the `ETag` and `X-Config-Version` headers, and PUT with
 * `If-Match` only replaces the version the client has seen (no lost update between operators).
 */
@ApiTags('config')
@Controller('api/v1/config')
export class ConfigController {
  constructor(private readonly config: ConfigService) {}

  @Get()
  @ApiOperation({ summary: 'Export the configuration in effect' })
  @ApiOkResponse({ schema: CONFIG_DOCUMENT_SCHEMA, headers: VERSION_HEADERS })
  current(@Res({ passthrough: true }) response: HttpResponse): ManagerConfig {
    this.versionHeaders(response, this.config.version());
    return this.config.current();
  }

  @Put()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Import a configuration',
    description:
      'Validated as a whole: an invalid document changes nothing and the answer lists every problem with its path. ' +
      'A valid one is stored, applied on this replica at once and on the others within WM_CONFIG_POLL_MS. ' +
      'Content identical to the stored configuration keeps its version. With If-Match, the import happens only ' +
      'while the stored version is one of the tags given (or any, with *); otherwise 412 and nothing changes.',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag of the version this import replaces ("7"), or * for any version.',
  })
  @ApiBody({ schema: CONFIG_DOCUMENT_SCHEMA })
  @ApiOkResponse({
    schema: CONFIG_DOCUMENT_SCHEMA,
    headers: VERSION_HEADERS,
    description: 'The configuration now in effect.',
  })
  @ApiBadRequestResponse({
    type: ApiErrorBody,
    description: 'code invalid_configuration; errors lists every problem with its path.',
  })
  @ApiPreconditionFailedResponse({
    type: ApiErrorBody,
    description:
      'code precondition_failed: the stored version is not the one If-Match names (ETag gives the stored one). GET, merge, send again.',
  })
  async replace(
    @Body() document: unknown,
    @Headers('if-match') ifMatchHeader: string | undefined,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<ManagerConfig> {
    const ifMatch = parseIfMatch(ifMatchHeader);
    try {
      const { version, config } = await this.config.replace(
        document,
        ifMatch && ((stored) => ifMatchAllows(ifMatch, versionTag(stored))),
      );
      this.versionHeaders(response, version);
      return config;
    } catch (error) {
      if (error instanceof ConfigValidationError) {
        throw new ApiException(
          HttpStatus.BAD_REQUEST,
          'invalid_configuration',
          `the configuration was not changed: ${error.issues.length} problem(s): ${error.issues
            .slice(0, 5)
            .map((issue) => `${issue.path}: ${issue.message}`)
            .join('; ')}`,
          error.issues,
        );
      }
      if (error instanceof ConfigPreconditionError) {
        throw new ApiException(
          HttpStatus.PRECONDITION_FAILED,
          'precondition_failed',
          `the configuration was not changed: the stored version is ${versionTag(error.storedVersion)}, not one If-Match names (${ifMatchHeader ?? ''}); GET it, merge your change and send it again`,
          undefined,
          { ETag: versionTag(error.storedVersion) },
        );
      }
      throw error;
    }
  }

  private versionHeaders(response: HttpResponse, version: number): void {
    response.setHeader('ETag', versionTag(version));
    response.setHeader('X-Config-Version', String(version));
  }
}
