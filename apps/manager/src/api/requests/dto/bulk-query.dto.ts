import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_MESSAGE_LENGTH } from '@org/protocol';
import { RequestFilterDto } from './request-filter.dto';

/** Filters of a bulk operation, and whether to only count what it would touch. */
export class BulkQueryDto extends RequestFilterDto {
  @ApiPropertyOptional({
    default: false,
    description:
      'Only count the requests the operation would consider (the preview); change nothing.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({
    description:
      'With cancel: the reason given to requesters and workers. @default "cancelled by an operator"',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  reason?: string;
}
