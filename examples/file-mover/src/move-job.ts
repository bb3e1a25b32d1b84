import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** Archive formats the mover can unpack into the destination directory. */
export const ARCHIVE_FORMATS = ['tar', 'tar.gz', 'zip'] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

export class MoveOptions {
  /**
   * Replace an existing destination. Without it, a destination holding other content fails the
   * job (ERROR), while one already holding exactly the source's bytes counts as done.
   * @default false
   */
  @IsOptional()
  @IsBoolean()
  overwrite?: boolean;

  /**
   * Unpack the source archive into the destination directory instead of moving it as one file.
   * @default undefined (move the file as is)
   */
  @IsOptional()
  @IsIn(ARCHIVE_FORMATS)
  extract?: ArchiveFormat;

  /**
   * Expected sha256 of the source bytes (hex). A mismatch refuses the job as INVALID_CONTENT.
   * @default undefined (the checksum is computed and returned, not compared)
   */
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'checksum must be a sha256 in hexadecimal (64 digits)' })
  checksum?: string;
}

/**
 * The job a file-mover accepts (JSON body):
 * `{ "source": "/data/in/a.tif", "destination": "/data/store/a.tif", "options": { "checksum": "…" } }`.
 * Locations are absolute paths inside the worker's roots (`FILE_MOVER_ROOTS`).
 */
export class MoveJob {
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  source!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  destination!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => MoveOptions)
  options?: MoveOptions;
}
