import { IsIn, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../http/paging.js';
import { Optional } from '../http/validation.js';
import { TOKEN_TYPES, type ApiToken, type TokenType } from './api-token.entity.js';
import type { TokenState } from './token.repository.js';

export const TOKEN_STATES: readonly TokenState[] = ['active', 'revoked', 'expired'];

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

/** GET /api/tokens: every token unless paged or filtered. */
export class ListTokensQuery extends PageQuery {
  @IsIn(TOKEN_TYPES, { message: `must be one of ${TOKEN_TYPES.join(', ')}` })
  @Optional()
  type?: TokenType;

  @IsIn(TOKEN_STATES, { message: `must be one of ${TOKEN_STATES.join(', ')}` })
  @Optional()
  state?: TokenState;

  @MaxLength(100, { message: 'must be at most 100 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A token as the API and the console list it: everything but the secret. */
export type TokenView = ReturnType<typeof tokenView>;

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
