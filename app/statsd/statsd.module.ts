import { Module } from '@nestjs/common';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { StatsdIngest } from './statsd-ingest.js';
import { StatsdTcpListener } from './statsd-tcp.listener.js';
import { StatsdUdpListener } from './statsd-udp.listener.js';

/** Lovebeat's statsd protocol on UDP and TCP. Listeners bind after the heartbeat state is restored. */
@Module({
  imports: [HeartbeatsModule],
  providers: [StatsdIngest, StatsdUdpListener, StatsdTcpListener],
  exports: [StatsdIngest],
})
export class StatsdModule {}
