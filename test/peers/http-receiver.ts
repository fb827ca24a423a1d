import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A real HTTP server on loopback that records what it receives (webhooks, Slack, Mailgun) and answers
 * with a status the test chooses, optionally after a delay.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  status = 200;
  responseBody = 'ok';
  /** The reason phrase after the status code (`HTTP/1.1 503 <this>`); Node's standard one when empty. */
  statusText = '';
  /** Extra answer headers (a redirect's `location`). */
  responseHeaders: Record<string, string> = {};
  delayMs = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly host: string,
  ) {}

  /** Listens on `host` (127.0.0.1, or a veth address of a namespace the test made). */
  static async start(host = '127.0.0.1'): Promise<HttpReceiver> {
    const server = http.createServer();
    const receiver = new HttpReceiver(server, host);
    server.on('request', (request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        receiver.requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body, at: Date.now() });
        const headers = { 'content-type': 'text/plain', ...receiver.responseHeaders };
        const respond = () =>
          (receiver.statusText
            ? response.writeHead(receiver.status, receiver.statusText, headers)
            : response.writeHead(receiver.status, headers)
          ).end(receiver.responseBody);
        if (receiver.delayMs > 0) setTimeout(respond, receiver.delayMs);
        else respond();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return receiver;
  }

  get url(): string {
    return `http://${this.host}:${(this.server.address() as AddressInfo).port}`;
  }

  async waitForRequests(count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`received ${this.requests.length} of ${count} requests`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.requests;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
