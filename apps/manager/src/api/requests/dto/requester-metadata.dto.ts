import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_SHORT_HEADER_LENGTH } from '@org/protocol';

/**
 * Requester metadata (`wm-tenant`, `wm-owner`, `wm-session`): what a request carries unchanged
 * and what listings filter on, with the same limits as the headers.
 */
export class RequesterMetadataDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SHORT_HEADER_LENGTH)
  tenant?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SHORT_HEADER_LENGTH)
  owner?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SHORT_HEADER_LENGTH)
  session?: string;
}
