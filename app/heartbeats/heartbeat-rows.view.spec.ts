import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analysisText, readTimeoutField, roughDuration } from './heartbeat-rows.view.js';

describe('heartbeat rows', () => {
  it('says the rhythm precisely on the service page and in whole units in the list', () => {
    const daily = { lower: 23 * 3_600_000 + 9 * 60_000, upper: 86_400_000, unstable: false };
    assert.equal(analysisText(daily)!.text, 'every 23 h 9 min – 1 d');
    assert.equal(analysisText(daily, false)!.text, '23 h – 1 d');
    assert.equal(analysisText(daily, false)!.title, 'every 23 h 9 min – 1 d', 'the precise range is its title');
    assert.equal(analysisText({ lower: 9 * 60_000, upper: 11 * 60_000 + 20_000, unstable: false }, false)!.text, '9–11 min');
    assert.equal(analysisText({ lower: 3_590_000, upper: 3_610_000, unstable: false }, false)!.text, '1 h');
    assert.equal(analysisText(null), null);
    assert.equal(roughDuration(56_000), '56 s');
  });

  it('reads the timeout field as seconds, units, auto or none, and says what it takes otherwise', () => {
    assert.deepEqual(readTimeoutField('300'), { ok: true, timeout: '300' });
    assert.deepEqual(readTimeoutField('5m'), { ok: true, timeout: '300' });
    assert.deepEqual(readTimeoutField('2h'), { ok: true, timeout: '7200' });
    assert.deepEqual(readTimeoutField(' Auto '), { ok: true, timeout: 'auto' });
    assert.deepEqual(readTimeoutField(''), { ok: true, timeout: '-1' });
    assert.deepEqual(readTimeoutField('none'), { ok: true, timeout: '-1' });
    const refused = readTimeoutField('soon');
    assert.equal(refused.ok, false);
    assert.match((refused as { error: string }).error, /Give seconds/);
  });
});
