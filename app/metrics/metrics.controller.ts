import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PublicWhen } from '../tokens/access.decorator.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus text. Admin token, or open with `[http] public_metrics = true`. */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @PublicWhen((config) => config.http.public_metrics)
  async render(@Res() reply: FastifyReply): Promise<void> {
    await reply
      .header('content-type', this.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(await this.metrics.render());
  }
}
