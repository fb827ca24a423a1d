import { Controller, Get, Header } from '@nestjs/common';
import { ClusterQuery } from './cluster.query.js';

/** SPEC §12: the servers of the installation, what each decides for, and when each was last heard from (admin). */
@Controller('api/cluster')
export class ClusterController {
  constructor(private readonly query: ClusterQuery) {}

  @Get()
  @Header('cache-control', 'no-store')
  list() {
    return this.query.overview();
  }
}
