import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

export const AUTH_PROTOCOLS = ['', 'md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const PRIV_PROTOCOLS = ['', 'des', 'aes', 'aes256b', 'aes256r'] as const;
const NUMBER = { message: 'must be a number, or null for no threshold' };

/**
 * Options of the snmp check. Decorators run bottom-up and stop at the first failure: type checks sit last.
 * Conditions (expected value, thresholds) apply to every OID read.
 */
export class SnmpConfig {
  @IsIn(['2c', '3'], { message: 'must be "2c" or "3"' })
  version: '2c' | '3' = '2c';

  @MaxLength(255, { message: 'must be at most 255 characters' })
  @IsString({ message: 'must be a string' })
  community = 'public';

  /** Numeric OIDs to GET, e.g. ["1.3.6.1.2.1.1.3.0"] (sysUpTime.0). */
  @Matches(/^\.?\d+(\.\d+)+$/, { each: true, message: 'must be a list of numeric OIDs, e.g. ["1.3.6.1.2.1.1.3.0"]' })
  @IsString({ each: true, message: 'must be a list of numeric OIDs, e.g. ["1.3.6.1.2.1.1.3.0"]' })
  @ArrayMaxSize(32, { message: 'must have at most 32 OIDs' })
  @ArrayMinSize(1, { message: 'must name at least one OID' })
  @IsArray({ message: 'must be a list of numeric OIDs, e.g. ["1.3.6.1.2.1.1.3.0"]' })
  oids: string[] = ['1.3.6.1.2.1.1.3.0'];

  /** SNMPv3 user name (required for version 3). */
  @ValidateIf((config: SnmpConfig) => config.version === '3' || config.user !== '')
  @MinLength(1, { message: 'is required for SNMP version 3' })
  @IsString({ message: 'must be a string' })
  user = '';

  @IsIn(AUTH_PROTOCOLS, { message: `must be one of ${AUTH_PROTOCOLS.filter(Boolean).join(', ')}, or "" for none` })
  auth_protocol: (typeof AUTH_PROTOCOLS)[number] = '';

  @ValidateIf((config: SnmpConfig) => config.auth_protocol !== '')
  @MinLength(8, { message: 'must be at least 8 characters when auth_protocol is set' })
  @IsString({ message: 'must be a string' })
  auth_key = '';

  @ValidateBy({
    name: 'privacyNeedsAuth',
    validator: {
      validate: (value, args) => value === '' || (args!.object as SnmpConfig).auth_protocol !== '',
      defaultMessage: () => 'needs auth_protocol and auth_key as well (SNMPv3 has no privacy without authentication)',
    },
  })
  @IsIn(PRIV_PROTOCOLS, { message: `must be one of ${PRIV_PROTOCOLS.filter(Boolean).join(', ')}, or "" for none` })
  priv_protocol: (typeof PRIV_PROTOCOLS)[number] = '';

  @ValidateIf((config: SnmpConfig) => config.priv_protocol !== '')
  @MinLength(8, { message: 'must be at least 8 characters when priv_protocol is set' })
  @IsString({ message: 'must be a string' })
  priv_key = '';

  /** Every value must equal this text ("" = not checked). */
  @MaxLength(1000, { message: 'must be at most 1000 characters' })
  @IsString({ message: 'must be a string' })
  expected_value = '';

  @IsNumber({}, NUMBER) @IsOptional() warning_above: number | null = null;
  @IsNumber({}, NUMBER) @IsOptional() down_above: number | null = null;
  @IsNumber({}, NUMBER) @IsOptional() warning_below: number | null = null;
  @IsNumber({}, NUMBER) @IsOptional() down_below: number | null = null;
}
