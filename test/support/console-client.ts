/**
 * A console user without a browser: fetch with a cookie jar, the sign-in form's tokens and the session's
 * CSRF token read from the pages, for HTTP-level tests of sessions, CSRF and fragments.
 */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrfToken = '';
  lastSetCookies: string[] = [];

  constructor(
    /** The console's URL as the browser sees it, ending in "/" (`http://127.0.0.1:5000/` or `…/monitoring/pulse/`). */
    readonly baseUrl: string,
    /** The Origin a same-origin browser would send. */
    readonly origin = new URL(baseUrl).origin,
  ) {}

  async request(
    method: string,
    path: string,
    options: { form?: Record<string, string | string[]>; json?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { accept: 'text/html', ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      // A field given as a list is sent once per value, as a browser sends checkboxes and repeated inputs.
      body = new URLSearchParams(Object.entries(options.form).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one]))).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    this.lastSetCookies = response.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    const csrf = /hx-headers='\{&quot;X-CSRF-Token&quot;: &quot;([A-Za-z0-9_-]*)&quot;\}'|hx-headers='\{"X-CSRF-Token": "([A-Za-z0-9_-]*)"\}'/.exec(text);
    if (csrf && (csrf[1] || csrf[2])) this.csrfToken = (csrf[1] || csrf[2])!;
    return { status: response.status, headers: response.headers, text };
  }

  /** Opens the sign-in form and posts `token` from the console's own origin; returns the POST's response. */
  async signIn(token: string, options: { origin?: string | null; csrf?: string | null } = {}) {
    const form = await this.request('GET', 'sign-in');
    const formToken = /name="_csrf" value="([^"]*)"/.exec(form.text)?.[1] ?? '';
    const headers: Record<string, string> = {};
    const origin = options.origin === undefined ? this.origin : options.origin;
    if (origin !== null) headers.origin = origin;
    const fields: Record<string, string> = { token };
    const csrf = options.csrf === undefined ? formToken : options.csrf;
    if (csrf !== null) fields._csrf = csrf;
    const response = await this.request('POST', 'sign-in', { form: fields, headers });
    if (response.status === 303) await this.request('GET', 'tokens');
    return response;
  }

  get sessionCookie(): string | undefined {
    return this.cookies.get('pulse_session');
  }

  /** A state change as htmx sends it: the CSRF header and the console's Origin. */
  htmxPost(path: string, form: Record<string, string | string[]>, extra: Record<string, string> = {}) {
    return this.request('POST', path, {
      form,
      headers: { 'hx-request': 'true', 'x-csrf-token': this.csrfToken, origin: this.origin, 'sec-fetch-site': 'same-origin', ...extra },
    });
  }
}
