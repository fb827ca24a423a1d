import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { renderInstaller, shellQuote } from './installer-script.js';

const sources = {
  roleScript: '#!/bin/sh\nset -eu\nROLE=agent\n# shellcheck source=installers/common.sh\n. ../common.sh\n\nmain "$@"\n',
  common:
    '# shellcheck shell=sh\nPULSE_SERVED=@PULSE_SERVED@\nPULSE_DEFAULT_SERVER=@PULSE_DEFAULT_SERVER@\nunit() {\n\tcat <<\'PULSE_UNIT_END\'\n@PULSE_UNIT@\nPULSE_UNIT_END\n}\nmain() { echo "$PULSE_SERVED $PULSE_DEFAULT_SERVER"; unit; }\n',
  unit: '[Service]\nExecStart=/usr/bin/x --config ${CREDENTIALS_DIRECTORY}/a.conf @PULSE_SERVED@\n',
};

const runSh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });

describe('renderInstaller', () => {
  it('inlines the shared part where the role sources it, and fills in the values', () => {
    const rendered = renderInstaller(sources, { defaultServer: 'https://pulse.example.com' });
    assert.doesNotMatch(rendered, /^\. \.\.\/common\.sh$/m);
    const run = runSh(rendered);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout,
      'yes https://pulse.example.com\n[Service]\nExecStart=/usr/bin/x --config ${CREDENTIALS_DIRECTORY}/a.conf @PULSE_SERVED@\n',
      'the unit comes out as it is, placeholders and $ included',
    );
  });

  it('quotes the default server so that no address can run code', () => {
    const hostile = "https://x/'; touch /tmp/pwned; '$(id)";
    const run = runSh(renderInstaller(sources, { defaultServer: hostile }));
    assert.equal(run.stdout.split('\n')[0], `yes ${hostile}`);
    assert.equal(runSh(renderInstaller(sources, { defaultServer: null })).stdout.split('\n')[0], 'yes ');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });

  it('refuses sources that would render wrong', () => {
    assert.throws(
      () => renderInstaller({ ...sources, roleScript: '#!/bin/sh\nmain\n' }, { defaultServer: null }),
      /must source the shared part/,
    );
    assert.throws(
      () => renderInstaller({ ...sources, unit: 'a\nPULSE_UNIT_END\nb' }, { defaultServer: null }),
      /must not hold a line "PULSE_UNIT_END"/,
    );
    assert.throws(
      () => renderInstaller({ ...sources, common: sources.common.replace('@PULSE_UNIT@', '') }, { defaultServer: null }),
      /@PULSE_UNIT@ exactly once/,
    );
  });
});
