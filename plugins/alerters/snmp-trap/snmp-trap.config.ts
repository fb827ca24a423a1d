import { IsIn, IsString, Matches } from 'class-validator';

export const AUTH_PROTOCOLS = ['', 'md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const PRIV_PROTOCOLS = ['', 'des', 'aes', 'aes256b', 'aes256r'] as const;

/** Lovebeat-style `[alerts.NAME]` keys `snmp_trap`, `snmp_version`, `snmp_community`, `snmp_user`… map onto these. */
export class SnmpTrapConfig {
  /** Receiver "host:port" (port 162 when left out). */
  @Matches(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?$/, { message: 'must be "host" or "host:port", e.g. "nms.example.com:162"' })
  @IsString({ message: 'must be a string' })
  target = '';

  @IsIn(['2c', '3'], { message: 'must be "2c" or "3"' }) version = '2c';
  @IsString({ message: 'must be a string' }) community = 'public';

  /** SNMPv3 user; with keys set the security level is authNoPriv / authPriv. */
  @IsString({ message: 'must be a string' }) user = '';
  @IsIn(AUTH_PROTOCOLS, { message: 'must be one of md5, sha, sha224, sha256, sha384, sha512' })
  auth_protocol = '';
  @IsString({ message: 'must be a string' }) auth_key = '';
  @IsIn(PRIV_PROTOCOLS, { message: 'must be one of des, aes, aes256b, aes256r' }) priv_protocol = '';
  @IsString({ message: 'must be a string' }) priv_key = '';

  /**
   * SNMPv3 traps are sent with Pulse as the authoritative engine, so the receiver must know this engine
   * id (snmptrapd: `createUser -e 0x<engine_id> …`). Hex, 5-32 octets; empty derives a stable one from the
   * host name.
   */
  @Matches(/^$|^([0-9a-fA-F]{2}){5,32}$/, { message: 'must be 5 to 32 octets in hex, e.g. 80007ED90470756C7365' })
  @IsString({ message: 'must be a string' })
  engine_id = '';
}
