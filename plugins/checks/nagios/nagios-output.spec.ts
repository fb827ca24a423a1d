import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyFromPerfdata, parsePerfdata, parsePluginOutput } from './nagios-output.js';

const datum = (
  label: string,
  value: number | null,
  uom = '',
  rest: Partial<{ warn: string; crit: string; min: number; max: number }> = {},
) => ({
  label,
  value,
  uom,
  warn: rest.warn ?? null,
  crit: rest.crit ?? null,
  min: rest.min ?? null,
  max: rest.max ?? null,
});

describe('nagios plugin output', () => {
  it('takes the first line as the message, with or without perfdata', () => {
    assert.deepEqual(parsePluginOutput('PING OK - Packet loss = 0%\n'), {
      message: 'PING OK - Packet loss = 0%',
      longOutput: [],
      perfdata: [],
      perfdataSkipped: [],
    });
    assert.deepEqual(parsePluginOutput('LOAD OK|load1=0.5;5;10;0 load5=0.25;4;8;0\r\n'), {
      message: 'LOAD OK',
      longOutput: [],
      perfdata: [datum('load1', 0.5, '', { warn: '5', crit: '10', min: 0 }), datum('load5', 0.25, '', { warn: '4', crit: '8', min: 0 })],
      perfdataSkipped: [],
    });
    assert.deepEqual(parsePluginOutput(''), { message: '', longOutput: [], perfdata: [], perfdataSkipped: [] });
  });

  it('reads long output up to the line that starts the remaining perfdata', () => {
    const output = parsePluginOutput("SVC OK - 2 items | a=1\nfirst item fine\nsecond item fine | 'b c'=2%;80;90\n'd'=3c\n");
    assert.equal(output.message, 'SVC OK - 2 items');
    assert.deepEqual(output.longOutput, ['first item fine', 'second item fine ']);
    assert.deepEqual(output.perfdata, [datum('a', 1), datum('b c', 2, '%', { warn: '80', crit: '90' }), datum('d', 3, 'c')]);
  });

  it('parses numbers in all their forms and keeps threshold ranges as written', () => {
    const { perfdata, skipped } = parsePerfdata("neg=-1.5 exp=2e3KB dot=.5s range=5;@10:20;~:30;-1;1e2 'x=y'=7 u=U;1;2");
    assert.deepEqual(skipped, []);
    assert.deepEqual(perfdata, [
      datum('neg', -1.5),
      datum('exp', 2000, 'KB'),
      datum('dot', 0.5, 's'),
      datum('range', 5, '', { warn: '@10:20', crit: '~:30', min: -1, max: 100 }),
      datum('x=y', 7),
      datum('u', null, '', { warn: '1', crit: '2' }),
    ]);
  });

  it('skips what does not parse, keeping it for details, and goes on', () => {
    const { perfdata, skipped } = parsePerfdata("noequals 'open=1 v=abc =3 w=1x2 ok=4");
    assert.deepEqual(skipped, ['noequals', "'open=1 v=abc =3 w=1x2 ok=4"]);
    assert.deepEqual(perfdata, []);
    const second = parsePerfdata('noequals v=abc =3 w=1x2 ok=4');
    assert.deepEqual(second.skipped, ['noequals', 'v=abc', '=3', 'w=1x2']);
    assert.deepEqual(second.perfdata, [datum('ok', 4)]);
  });

  it('turns time= into milliseconds from s, ms, us or no unit, and ignores other units', () => {
    const latency = (text: string) => latencyFromPerfdata(parsePerfdata(text).perfdata);
    assert.equal(latency('time=0.25s;;;0;10'), 250);
    assert.equal(latency('size=10B time=12ms'), 12);
    assert.equal(latency('time=1500us'), 1.5);
    assert.equal(latency('time=2'), 2000);
    assert.equal(latency("'Time'=3ms"), 3);
    assert.equal(latency('time=3KB'), null);
    assert.equal(latency('time=U'), null);
    assert.equal(latency('time=3constructor'), null);
    assert.equal(latency('rta=3ms'), null);
  });
});
