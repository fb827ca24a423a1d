import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../tokens/access.decorator.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { ReadinessService } from './readiness.service.js';

@Controller()
@Public()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is up and answering. */
  @Get('healthz')
  @Header('cache-control', 'no-store')
  health() {
    return { status: 'ok', version: PULSE_VERSION };
  }

  /** The database answers and takes writes, and every listener is bound; 503 naming what is not, and why. */
  @Get('readyz')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const { ready, checks, reasons } = await this.readiness.check();
    const failing = Object.keys(checks).filter((name) => checks[name] !== 'ok');
    // Not ready is also an API error: {"error","message"} first, then the detail.
    const error = { error: 'not_ready', message: failing.map((name) => `${name}: ${reasons?.[name] ?? 'failing'}`).join('; ') };
    await reply
      .status(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ ...(ready ? {} : error), status: ready ? 'ready' : 'not_ready', checks, ...(reasons ? { reasons } : {}) });
  }
}
