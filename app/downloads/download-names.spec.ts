import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksumLine, parseDownloadName } from './download-names.js';

describe('parseDownloadName', () => {
  it('knows the three executables for x64 and arm64, and their checksums', () => {
    assert.deepEqual(parseDownloadName('lillydoo-pulse-agent-linux-x64'), { file: 'lillydoo-pulse-agent-linux-x64', checksum: false });
    assert.deepEqual(parseDownloadName('lillydoo-pulse-poller-linux-arm64.sha256'), {
      file: 'lillydoo-pulse-poller-linux-arm64',
      checksum: true,
    });
    assert.deepEqual(parseDownloadName('lillydoo-pulse-linux-x64'), { file: 'lillydoo-pulse-linux-x64', checksum: false });
  });

  it('refuses everything else, paths included', () => {
    for (const name of [
      'lillydoo-pulse-agent-linux-riscv64',
      'lillydoo-pulse-agent-linux-x64.sha256.sha256',
      '../lillydoo-pulse-agent-linux-x64',
      'lillydoo-pulse-agent-linux-x64/',
      '.lillydoo-pulse-agent-linux-x64.digest',
      'lillydoo-pulse-agent-darwin-x64',
      '',
    ]) {
      assert.equal(parseDownloadName(name), null, name);
    }
  });

  it("writes sha256sum's format", () => {
    assert.equal(checksumLine('ab'.repeat(32), 'x'), `${'ab'.repeat(32)}  x\n`);
  });
});
