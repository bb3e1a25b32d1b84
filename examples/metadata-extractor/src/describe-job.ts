import { IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';

/**
 * The job a metadata extractor accepts (JSON body): `{ "location": "/data/store/a.tif" }`. The
 * file mover's output (`{ location, size, sha256, … }`) is a valid job as is, which is what makes
 * the `product/ingest` workflow work; when `size`/`sha256` differ from the file, the feature says so.
 */
export class DescribeJob {
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  location!: string;

  /**
   * The size the mover stored; a file that differs is described and flagged.
   * @default undefined (not compared)
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  size?: number;

  /** @default undefined (not compared) */
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hexadecimal digits' })
  sha256?: string;
}
