import { IsBoolean, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** Options of the ssl check. Decorators run bottom-up and stop at the first failure: type checks sit last. */
export class SslConfig {
  /** A certificate that expires within this many days is a warning. */
  @Max(3650, { message: 'must be at most 3650' })
  @Min(0, { message: 'must be at least 0' })
  @IsInt({ message: 'must be a whole number of days' })
  warn_days = 14;

  /** Accept a certificate that does not chain to a trusted CA (self-signed, private CA). */
  @IsBoolean({ message: 'must be true or false' })
  allow_self_signed = false;

  /** Name sent as SNI and checked against the certificate; "" = the target's host name. */
  @Matches(/^$|^[A-Za-z0-9*]([A-Za-z0-9.*-]{0,252})$/, { message: 'must be a host name, or "" for the target\'s host' })
  @IsString({ message: 'must be a string' })
  server_name = '';

  /** Extra CA certificates to trust (PEM), e.g. a company's private CA. */
  @Matches(/^$|-----BEGIN CERTIFICATE-----/, { message: 'must be PEM text with one or more "-----BEGIN CERTIFICATE-----" blocks, or ""' })
  @MaxLength(200_000, { message: 'must be at most 200000 characters' })
  @IsString({ message: 'must be a string' })
  ca_certificates = '';
}
