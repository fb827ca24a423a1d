import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../tokens/access.decorator.js';
import { DownloadsService, type InstallerRole } from './downloads.service.js';

/** SPEC §9: the installers and the executables they fetch; no token (the installer checks its own). */
@Controller()
@Public()
export class DownloadsController {
  constructor(private readonly downloads: DownloadsService) {}

  @Get('agent/install.sh')
  agentInstaller(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.sendInstaller('agent', request, reply);
  }

  @Get('poller/install.sh')
  pollerInstaller(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.sendInstaller('poller', request, reply);
  }

  @Get('downloads/:name')
  async download(@Param('name') name: string, @Res() reply: FastifyReply) {
    // The file first: a 404 must not go out with the download's content type.
    if (name.endsWith('.sha256')) {
      const line = await this.downloads.checksum(name);
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(line);
    }
    const file = await this.downloads.executable(name);
    return reply.type('application/octet-stream').header('cache-control', 'no-store').header('content-length', file.size).send(file.stream);
  }

  private sendInstaller(role: InstallerRole, request: FastifyRequest, reply: FastifyReply) {
    const script = this.downloads.installer(role, { protocol: request.protocol, host: request.host });
    // no-store: the default --server in it depends on the address the request came to.
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(script);
  }
}
