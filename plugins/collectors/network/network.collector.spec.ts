import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { canUseNamespaces, namespaceHost, type NamespaceHost } from '../../../test/support/netns.js';
import { NetworkCollector, rates } from './network.collector.js';

const context = () => createPluginContext({ timeoutMs: 20_000, logger: { debug() {}, info() {}, warn() {} } });
const byIface = (samples: { metric: string; value: number; labels?: Record<string, string> }[], iface: string) =>
  Object.fromEntries(samples.filter((sample) => sample.labels?.iface === iface).map((sample) => [sample.metric, sample.value]));
const txBytes = (iface: string) => Number(readFileSync(`/sys/class/net/${iface}/statistics/tx_bytes`, 'utf8'));

/** Sends `count` datagrams of `size` bytes to the address (a port nobody listens on: they leave and are dropped there). */
async function blast(address: string, count: number, size: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  const payload = Buffer.alloc(size, 0x5a);
  for (let index = 0; index < count; index++) await new Promise<void>((resolve) => socket.send(payload, 9, address, () => resolve()));
  socket.close();
}

describe('network collector', () => {
  it('computes bits per second from the byte counters of two readings, skipping new and reset interfaces', () => {
    const reading = (at: number, entries: [string, number, number][]) => ({
      at,
      bytes: new Map(entries.map(([iface, rx, tx]) => [iface, { rx, tx }])),
    });
    assert.deepEqual(
      rates(
        reading(1000, [
          ['eth0', 1000, 500],
          ['eth1', 9000, 9000],
        ]),
        reading(3000, [
          ['eth0', 3000, 1500],
          ['eth1', 10, 10],
          ['wg0', 5, 5],
        ]),
      ),
      [
        { metric: 'net.rx_bps', value: 8000, labels: { iface: 'eth0' } },
        { metric: 'net.tx_bps', value: 4000, labels: { iface: 'eth0' } },
      ],
    );
  });

  describe('on this machine', { skip: !canUseNamespaces && 'needs root for a network namespace' }, () => {
    let peer: NamespaceHost;
    before(async () => {
      peer = await namespaceHost();
    });
    after(() => peer?.dispose());

    it('reports the traffic sent through a veth interface, and never the loopback interface', async () => {
      const collector = new NetworkCollector();
      const first = await collector.collect({ net_exclude: [] }, context());
      assert.ok(!first.some((sample) => sample.labels?.iface === 'lo'), 'the loopback interface is left out');
      assert.ok(
        first.some((sample) => sample.labels?.iface === peer.hostInterface),
        `${peer.hostInterface} is reported`,
      );
      const windowStart = performance.now();
      const sentBefore = txBytes(peer.hostInterface);
      await blast(peer.address, 400, 1000);
      const sent = txBytes(peer.hostInterface) - sentBefore;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = await collector.collect({ net_exclude: [] }, context());
      const windowSeconds = (performance.now() - windowStart) / 1000;
      const { 'net.tx_bps': tx } = byIface(second, peer.hostInterface);
      assert.ok(sent >= 400_000, `${sent} bytes left through ${peer.hostInterface}`);
      // The collector's window spans ours (from the end of the first collection to the counters it read now).
      const expected = (sent * 8) / windowSeconds;
      assert.ok(tx! >= expected * 0.7 && tx! <= expected * 1.6, `tx ${tx} bit/s, ${sent} bytes in about ${windowSeconds.toFixed(2)} s`);
    });

    it('leaves out the interfaces net_exclude names', async () => {
      const collector = new NetworkCollector();
      const samples = await collector.collect({ net_exclude: ['pv*'] }, context());
      assert.ok(!samples.some((sample) => sample.labels?.iface === peer.hostInterface));
    });
  });
});
