import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TOKEN_TYPES, type TokenType } from './api-token.entity.js';

/** `sw_<type>_<64 hex>`: the prefix tells people (and secret scanners) what the token is for. */
const TOKEN_PATTERN = new RegExp(`^sw_(${TOKEN_TYPES.join('|')})_[0-9a-f]{64}$`);

export function generateTokenSecret(type: TokenType): string {
  return `sw_${type}_${randomBytes(32).toString('hex')}`;
}

/** The type a well-formed secret claims, or null when it is not a Pulse token at all. */
export function tokenTypeOf(secret: string): TokenType | null {
  const match = TOKEN_PATTERN.exec(secret);
  return match ? (match[1] as TokenType) : null;
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function digestsEqual(storedHex: string, candidateHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  const candidate = Buffer.from(candidateHex, 'hex');
  return stored.length === candidate.length && timingSafeEqual(stored, candidate);
}

export function tokenHint(secret: string): string {
  return secret.slice(-4);
}
