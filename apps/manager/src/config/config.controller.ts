import { Body, Controller, Get, HttpCode, HttpStatus, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type ManagerConfig } from '@org/protocol';
import { ApiErrorBody, ApiException } from '../http/api-error';
import { type HttpResponse } from '../http/http-types';
import { ConfigService } from './config.service';
import { ConfigValidationError } from './config-validation.error';
import { CONFIG_DOCUMENT_SCHEMA } from './dto/config-document.schema';

/**
 * Export and import of the routing configuration. The body of GET is exactly what PUT accepts;
 * the version in effect is in the `ETag` and `X-Config-Version` headers.
 */
@ApiTags('config')
@Controller('api/v1/config')
export class ConfigController {
  constructor(private readonly config: ConfigService) {}

  @Get()
  @ApiOperation({ summary: 'Export the configuration in effect' })
  @ApiOkResponse({ schema: CONFIG_DOCUMENT_SCHEMA })
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
      'A valid one is stored, applied on this replica at once and on the others within WM_CONFIG_POLL_MS.',
  })
  @ApiBody({ schema: CONFIG_DOCUMENT_SCHEMA })
  @ApiOkResponse({
    schema: CONFIG_DOCUMENT_SCHEMA,
    description: 'The configuration now in effect.',
  })
  @ApiBadRequestResponse({
    type: ApiErrorBody,
    description: 'code invalid_configuration; details lists every problem.',
  })
  async replace(
    @Body() document: unknown,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<ManagerConfig> {
    try {
      const { version, config } = await this.config.replace(document);
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
      throw error;
    }
  }

  private versionHeaders(response: HttpResponse, version: number): void {
    response.setHeader('ETag', `"${version}"`);
    response.setHeader('X-Config-Version', String(version));
  }
}
