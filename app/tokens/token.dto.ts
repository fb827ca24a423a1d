import { IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Optional } from '../http/validation.js';
import { TOKEN_TYPES, type ApiToken, type TokenType } from './api-token.entity.js';

export class CreateTokenDto {
  // class-validator runs a property's decorators bottom-up and we stop at the first failure, so the
  // type check sits closest to the property.
  @Matches(/\S/, { message: 'must not be blank' })
  @Length(1, 100, { message: 'must be 1 to 100 characters' })
  @IsString({ message: 'must be a string' })
  name!: string;

  @IsIn(TOKEN_TYPES, { message: `must be one of ${TOKEN_TYPES.join(', ')}` })
  type!: TokenType;

  @Max(3650, { message: 'must be at most 3650' })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number of days' })
  @Optional()
  expires_in_days?: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A token as the API lists it: everything but the secret. */
export function tokenView(token: ApiToken, now: number) {
  return {
    id: token.id,
    name: token.name,
    type: token.type,
    hint: `…${token.hint}`,
    created_at: iso(token.createdAt),
    expires_at: iso(token.expiresAt),
    last_used_at: iso(token.lastUsedAt),
    revoked: token.revokedAt !== null,
    revoked_at: iso(token.revokedAt),
    expired: token.expiresAt !== null && token.expiresAt <= now,
  };
}

/** The one response that carries the secret: creation and rotation. */
export function issuedTokenView(token: ApiToken, secret: string) {
  return {
    id: token.id,
    name: token.name,
    type: token.type,
    token: secret,
    created_at: iso(token.createdAt),
    expires_at: iso(token.expiresAt),
  };
}
