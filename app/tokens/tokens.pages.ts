import { Body, Post, Req } from '@nestjs/common';
import { IdParam } from '../http/id-param.js';
import { Clock } from '../runtime/clock.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { isHtmxRequest } from '../web/console-renderer.js';
import { redirect, view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { formInteger, formText, validateForm } from '../web/form-validation.js';
import { LiveHub } from '../web/live-hub.js';
import { TOKEN_TYPES, type ApiToken, type TokenType } from './api-token.entity.js';
import { CreateTokenDto } from './token.dto.js';
import { TokenService, type IssuedToken } from './token.service.js';

const TYPE_LABELS: Record<TokenType, string> = { admin: 'Admin', agent: 'Agent', poller: 'Poller', ingest: 'Ingest' };
const FRAGMENTS = { 'tokens-list': 'tokens/list', 'token-create': 'tokens/create-form', 'token-reveal': 'tokens/reveal' };

interface TokenForm {
  values: { name?: string; type: string; expires_in_days?: number | string };
  errors: Record<string, string>;
}

/** The Tokens page (SPEC §8): list, create with a one-time reveal, revoke, rotate. */
@ConsoleController('tokens')
export class TokensPages {
  constructor(
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    live: LiveHub,
  ) {
    live.forward('token.changed', 'tokens', (event) => event.id);
  }

  @Page('', { title: 'Tokens', nav: { order: 800, group: 'Administration' } })
  async list(@Req() request: ConsoleRequest) {
    return view('tokens/index', await this.page(request), { fragments: FRAGMENTS });
  }

  @Post()
  async create(@Req() request: ConsoleRequest, @Body() body: Record<string, unknown>) {
    const values = { name: formText(body?.name) ?? '', type: formText(body?.type) ?? '', expires_in_days: formInteger(body?.expires_in_days) };
    const checked = await validateForm(CreateTokenDto, values);
    if (!checked.ok) {
      const data = await this.page(request, { form: { values, errors: checked.errors } });
      return view('tokens/index', data, { status: 422, fragments: FRAGMENTS });
    }
    const issued = await this.tokens.issue(checked.value.name, checked.value.type, checked.value.expires_in_days);
    const data = await this.page(request, { issued: this.issuedView(issued, false) });
    return view('tokens/index', data, { status: 201, fragments: FRAGMENTS, oob: ['tokens/reveal', 'tokens/list'] });
  }

  @Post(':id/revoke')
  async revoke(@Req() request: ConsoleRequest, @IdParam() id: number) {
    const token = await this.tokens.revoke(id);
    if (!isHtmxRequest(request)) return redirect('tokens');
    return view('tokens/index', {}, { fragment: { partial: 'tokens/row', data: this.row(token, request) } });
  }

  @Post(':id/rotate')
  async rotate(@Req() request: ConsoleRequest, @IdParam() id: number) {
    const issued = await this.tokens.rotate(id);
    const data = await this.page(request, { issued: this.issuedView(issued, true) });
    return view('tokens/index', data, {
      fragment: 'tokens/reveal',
      oob: [{ partial: 'tokens/row', data: this.row(issued.token, request) }],
    });
  }

  private async page(request: ConsoleRequest, extra: { form?: TokenForm; issued?: unknown } = {}) {
    const rows = (await this.tokens.list()).map((token) => this.row(token, request));
    rows.sort((a, b) => Number(b.state === 'active') - Number(a.state === 'active') || b.createdAt - a.createdAt || b.id - a.id);
    const active = rows.filter((row) => row.state === 'active').length;
    const form = extra.form ?? { values: { type: 'agent' }, errors: {} };
    return {
      title: 'Tokens',
      tokens: rows,
      counts: { active, inactive: rows.length - active },
      form,
      types: TOKEN_TYPES.map((type) => ({ value: type, label: TYPE_LABELS[type] })),
      issued: extra.issued ?? null,
    };
  }

  private row(token: ApiToken, request: ConsoleRequest) {
    const now = this.clock.now();
    const state = token.revokedAt !== null ? 'revoked' : token.expiresAt !== null && token.expiresAt <= now ? 'expired' : 'active';
    return {
      id: token.id,
      name: token.name,
      type: token.type,
      hint: token.hint,
      state,
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
      lastUsedAt: token.lastUsedAt,
      current: request.pulseSession?.token.id === token.id,
    };
  }

  private issuedView({ token, secret }: IssuedToken, rotated: boolean) {
    return { id: token.id, name: token.name, typeLabel: TYPE_LABELS[token.type], secret, expiresAt: token.expiresAt, rotated };
  }
}
