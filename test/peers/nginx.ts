import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startProcess, type TestProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

export const NGINX_BINARY = '/usr/sbin/nginx';

export interface NginxOptions {
  /** Port to listen on (127.0.0.1); pick it with freePort() before starting Pulse when public_url must name it. */
  port: number;
  /** Where Pulse listens (127.0.0.1). */
  upstreamPort: number;
  /**
   * Several Pulse servers of one installation (127.0.0.1 ports): requests are spread over them round-robin,
   * and one that refuses connections (killed) is skipped for the next, as docs/high-availability.md sets it up.
   */
  upstreamPorts?: number[];
  /** The sub-path Pulse is published at, with slashes at both ends. */
  prefix: string;
  /** true: `proxy_pass http://…/;` takes the prefix off (the documented setup); false: Pulse gets it. */
  stripPrefix?: boolean;
}

/**
 * Debian's nginx in front of Pulse at a sub-path, the way docs/console.md tells people to set it up (with
 * X-Forwarded-* headers and unbuffered event streams). A generated config in a temp dir, run in the
 * foreground (`daemon off`) and stopped by pid.
 */
export class NginxPeer {
  private constructor(
    readonly process: TestProcess,
    readonly port: number,
    readonly prefix: string,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  static available(): boolean {
    return existsSync(NGINX_BINARY);
  }

  static async start(options: NginxOptions): Promise<NginxPeer> {
    if (!NginxPeer.available()) throw new Error(`${NGINX_BINARY} not found (apt-get install nginx)`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-nginx-'));
    for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, temp));
    const ports = options.upstreamPorts ?? [options.upstreamPort];
    const upstream = `http://pulse${options.stripPrefix === false ? '' : '/'}`;
    const config = `
${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream pulse {
${ports.map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${options.port};
    location ${options.prefix} {
      proxy_pass ${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502;
    }
    location / { return 404 "not Pulse\\n"; }
  }
}
`;
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, config);
    const child = startProcess(NGINX_BINARY, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', file], { label: 'nginx' });
    try {
      await waitUntil(`nginx listening on 127.0.0.1:${options.port}`, async () => {
        if (!child.running) throw new Error(`nginx exited:\n${child.output()}\n${readLog(dir)}`);
        return canConnect(options.port);
      });
    } catch (error) {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new NginxPeer(child, options.port, options.prefix, dir);
  }

  errorLog(): string {
    return readLog(this.dir);
  }

  async stop(): Promise<void> {
    // SIGQUIT is nginx's graceful stop; open event streams would hold it, so SIGTERM (fast stop) it is.
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
