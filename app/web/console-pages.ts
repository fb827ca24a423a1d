import { applyDecorators, Controller, Get, SetMetadata, UseFilters, UseInterceptors } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ConsoleExceptionFilter } from './console-exception.filter.js';
import { ViewInterceptor } from './view.interceptor.js';

/** Where a page sits in the sidebar. Pages without `nav` (sign-in, detail pages) are not listed. */
export interface PageNav {
  /** Sidebar text; the page title when omitted. */
  label?: string;
  /**
   * Position, smallest first. The sections of SPEC §8 in order: dashboard 0, monitors by type 100,
   * heartbeats 200, alarms 300, agents 400, pollers 500, alerts 600, maintenance 700, tokens 800,
   * settings 900. Numbers in between place a page next to its neighbours.
   */
  order: number;
  /** Small heading the entry is listed under; consecutive entries with the same group share it. */
  group?: string;
  /**
   * One entry per check plugin found at run time (Ping, HTTP, SSL, Port, then the others by title),
   * linking to this page with `?type=<plugin id>`, instead of one entry for the page.
   */
  byCheckType?: boolean;
  /** With `byCheckType`: an entry before the types for the page without a type (`All monitors`). */
  allLabel?: string;
}

export interface PageMeta {
  /** The document title and the page's heading. */
  title: string;
  nav?: PageNav;
}

/** Marks a controller as console pages (found by PageRegistry, rendered by ViewInterceptor, HTML errors). */
export const ConsolePagesMark = DiscoveryService.createDecorator<{ path: string }>();
export const PAGE_META = 'pulse:console-page';

/**
 * A controller of console pages, e.g. `@ConsoleController('tokens') class TokensPages`. Its handlers
 * return `view()`, `fragment()` or `redirect()` results; errors come back as HTML pages or htmx fragments.
 * Guarded like any route: an admin token or a console session, unless marked @Public().
 */
export function ConsoleController(path = ''): ClassDecorator {
  return applyDecorators(Controller(path), ConsolePagesMark({ path }), UseInterceptors(ViewInterceptor), UseFilters(ConsoleExceptionFilter));
}

/** A GET page with a title, listed in the sidebar when it has `nav`. */
export function Page(path: string, meta: PageMeta): MethodDecorator {
  return applyDecorators(Get(path), SetMetadata(PAGE_META, meta));
}
