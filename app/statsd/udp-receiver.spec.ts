import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeSharesUdpPorts } from './udp-receiver.js';

describe('UDP port sharing between receive workers', () => {
  it('is there from Node 22.12 and 23.1 on (the single executables run Node 22.23)', () => {
    const versions = ['20.20.2', '22.11.0', '22.12.0', '22.23.3', '23.0.0', '23.1.0', '24.4.1'];
    assert.deepEqual(
      versions.map((version) => nodeSharesUdpPorts(version)),
      [false, false, true, true, false, true, true],
    );
  });
});
