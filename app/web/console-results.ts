/**
 * What a console handler returns; ViewInterceptor turns it into the response. A handler never builds
 * HTML strings or touches the reply for these.
 */

export interface FragmentChoice {
  /** The partial (`tokens/row`) and its data when it is not the page's data. */
  partial: string;
  data?: Record<string, unknown>;
}

export interface ViewOptions {
  status?: number;
  /** Layout under views/layouts; `main` has the sidebar, `bare` is for sign-in and errors. */
  layout?: string;
  /**
   * Swap targets of this page: element id → partial. An htmx request (not a history restore) whose
   * `HX-Target` is one of these ids gets that partial alone instead of the whole page.
   */
  fragments?: Record<string, string>;
  /** Answer an htmx request with this partial whatever its target (a row after a revoke). */
  fragment?: FragmentChoice | string;
  /** Partials appended to an htmx fragment answer as out-of-band swaps; each is rendered with `oob: true`. */
  oob?: (FragmentChoice | string)[];
}

export class ConsoleView {
  constructor(
    readonly page: string,
    readonly data: Record<string, unknown>,
    readonly options: ViewOptions,
  ) {}
}

export class ConsoleRedirect {
  constructor(
    /** A console path relative to the base path (`tokens`, `` for home). */
    readonly to: string,
  ) {}
}

/** A page (`views/pages/<page>.hbs`) in its layout, or one of its fragments for htmx. */
export function view(page: string, data: Record<string, unknown> = {}, options: ViewOptions = {}): ConsoleView {
  return new ConsoleView(page, data, options);
}

/** 303 to a console path (for htmx requests: `HX-Redirect`, so the whole page changes). */
export function redirect(to: string): ConsoleRedirect {
  return new ConsoleRedirect(to);
}
