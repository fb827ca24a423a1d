import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PULSE_VERSION } from '../runtime/version.js';
import { ConsoleSite } from './console-site.js';
import type { ConsoleRequest } from './console-session.resolver.js';
import { ConsoleRedirect, ConsoleView, type FragmentChoice } from './console-results.js';
import { LiveHub } from './live-hub.js';
import { PageRegistry } from './page-registry.js';
import { ViewEngine } from './view-engine.js';

/** A finished console response: status, headers and HTML, sent as it is by the exception filter. */
export class ConsoleResponse {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string,
  ) {}

  send(reply: FastifyReply): void {
    void reply.status(this.status).headers(this.headers).send(this.body);
  }
}

/** What every template sees as `console`: the shell's part of the page. */
export interface ConsoleContext {
  title: string;
  signedIn: boolean;
  /** The session's CSRF token (htmx header and hidden form fields); empty when not signed in. */
  csrfToken: string;
  sidebar: ReturnType<PageRegistry['sidebar']>;
  /** The SSE URL, starting where this page was drawn. */
  liveUrl: string;
  version: string;
  /** Name of the admin token this session signed in with. */
  tokenName: string;
  tokenId: number | null;
}

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // Pages carry CSRF tokens and, once, token secrets: never stored by browsers or proxies.
  'cache-control': 'no-store',
  // The same URL answers with a page or a fragment depending on these.
  vary: 'HX-Request, HX-Target',
};

/** True for an htmx request that wants a fragment (a history restore wants the whole page). */
export function isHtmxRequest(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' && request.headers['hx-history-restore-request'] !== 'true';
}

/**
 * Turns console results into responses: the page in its layout, or for htmx the fragment partial alone;
 * redirects as 303 (or HX-Redirect for htmx); error pages and fragments.
 */
@Injectable()
export class ConsoleRenderer {
  constructor(
    private readonly engine: ViewEngine,
    private readonly site: ConsoleSite,
    private readonly pages: PageRegistry,
    private readonly live: LiveHub,
  ) {}

  respond(request: ConsoleRequest, result: ConsoleView | ConsoleRedirect): ConsoleResponse {
    if (result instanceof ConsoleRedirect) return this.redirect(request, result.to);
    const { options } = result;
    const status = options.status ?? 200;
    const data = { ...result.data, console: this.context(request, this.titleOf(result)) };
    if (isHtmxRequest(request)) {
      const fragment = this.chooseFragment(request, result.options.fragment, options.fragments);
      if (fragment) {
        let html = this.engine.renderPartial(fragment.partial, { ...data, ...fragment.data });
        for (const oob of options.oob ?? []) {
          const choice = typeof oob === 'string' ? { partial: oob } : oob;
          // In <template>, so table rows and other context-bound elements survive htmx's parsing.
          html += `<template>${this.engine.renderPartial(choice.partial, { ...data, ...choice.data, oob: true })}</template>`;
        }
        return new ConsoleResponse(status, HTML_HEADERS, html);
      }
    }
    return new ConsoleResponse(status, HTML_HEADERS, this.engine.renderPage(result.page, data, options.layout ?? 'main'));
  }

  redirect(request: FastifyRequest, to: string): ConsoleResponse {
    const location = this.site.url(to);
    if (isHtmxRequest(request)) return new ConsoleResponse(200, { ...HTML_HEADERS, 'hx-redirect': location }, '');
    return new ConsoleResponse(303, { ...HTML_HEADERS, location }, '');
  }

  /** An error as a page (bare layout when not signed in), or for htmx as a message in the page's alert area. */
  error(request: ConsoleRequest, status: number, title: string, message: string): ConsoleResponse {
    const data = { status, title, message, console: this.context(request, title) };
    if (isHtmxRequest(request)) {
      const html = this.engine.renderPartial('console/alert', data);
      return new ConsoleResponse(status, { ...HTML_HEADERS, 'hx-retarget': '#console-alert', 'hx-reswap': 'innerHTML' }, html);
    }
    const layout = request.pulseSession ? 'main' : 'bare';
    return new ConsoleResponse(status, HTML_HEADERS, this.engine.renderPage('console/error', data, layout));
  }

  context(request: ConsoleRequest, title: string): ConsoleContext {
    const session = request.pulseSession;
    const current = request.url.replace(/^\/+/, '');
    return {
      title,
      signedIn: session !== undefined,
      csrfToken: session?.csrfToken ?? '',
      sidebar: session ? this.pages.sidebar(current) : [],
      liveUrl: `${this.site.url('events')}?since=${encodeURIComponent(this.live.feed.cursor())}`,
      version: PULSE_VERSION,
      tokenName: session?.token.name ?? '',
      tokenId: session?.token.id ?? null,
    };
  }

  private titleOf(result: ConsoleView): string {
    const title = result.data.title;
    return typeof title === 'string' ? title : 'LILLYDOO Pulse';
  }

  private chooseFragment(
    request: FastifyRequest,
    explicit: FragmentChoice | string | undefined,
    byTarget: Record<string, string> | undefined,
  ): FragmentChoice | null {
    if (explicit) return typeof explicit === 'string' ? { partial: explicit } : explicit;
    const target = request.headers['hx-target'];
    if (typeof target === 'string' && byTarget && Object.hasOwn(byTarget, target)) return { partial: byTarget[target]! };
    return null;
  }
}
