import { IsBoolean, IsInt, IsString, Max, MaxLength, Min } from '@lillydoo-pulse/plugin-sdk';

/** Options of the tcp-banner check. Defaults are the initializers; the type check sits last (decorators run bottom-up). */
export class TcpBannerConfig {
  /** Text the first line must contain; empty: any first line will do. */
  @MaxLength(200, { message: 'must be at most 200 characters' }) @IsString({ message: 'must be text' }) expect = '';
  /** Compare without regard to upper and lower case. */
  @IsBoolean({ message: 'must be true or false' }) ignore_case = false;
  /** Bytes read at most while waiting for the end of the first line. */
  @Min(16, { message: 'must be at least 16' })
  @Max(65536, { message: 'must be at most 65536' })
  @IsInt({ message: 'must be a whole number' })
  max_bytes = 1024;
}
