import { IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';

/**
 * The job a checksum worker accepts (JSON body): `{ "location": "/data/store/a.tif" }`. The file
 * mover's output (`{ location, size, sha256, … }`) is a valid job as is; when it carries the
 * mover's `sha256`, the checksum says whether the stored file still matches it.
 */
export class ChecksumJob {
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  location!: string;

  /** The size the mover stored. @default undefined (not compared) */
  @IsOptional()
  @IsInt()
  @Min(0)
  size?: number;

  /** The SHA-256 the mover computed while copying. @default undefined (not compared) */
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hexadecimal digits' })
  sha256?: string;
}
