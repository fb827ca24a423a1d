import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerInWorker } from '../../test/support/in-worker.js';
import { alarmDefinitionProblem, AlarmMatcher, type AlarmDefinition } from './alarm-pattern.js';

function matcher(fields: Partial<AlarmDefinition>): AlarmMatcher {
  return new AlarmMatcher({ name: 'a', pattern: '', includes: [], excludes: [], alerts: [], source: 'config', ...fields });
}

describe('alarm patterns (Lovebeat globs)', () => {
  it('matches "*" across any text, dots included', () => {
    const backups = matcher({ name: 'backup-jobs', pattern: 'backup.*' });
    assert.equal(backups.alarmFor('backup.db.nightly'), 'backup-jobs');
    assert.equal(backups.alarmFor('backup.'), 'backup-jobs');
    assert.equal(backups.alarmFor('backupdb'), null, 'the dot is literal');
    assert.equal(backups.alarmFor('old.backup.db'), null, 'anchored at the start');
    assert.equal(matcher({ pattern: '*.healthcheck' }).alarmFor('a.b.healthcheck'), 'a');
  });

  it('names the alarm from a $var that matches exactly one dotted segment', () => {
    const servers = matcher({ name: 'server-$name', pattern: 'application-name.$name.*' });
    assert.equal(servers.alarmFor('application-name.alpha.healthcheck'), 'server-alpha');
    assert.equal(servers.alarmFor('application-name.beta.background-job-1'), 'server-beta');
    assert.equal(servers.alarmFor('application-name.alpha'), null, 'the trailing ".*" needs its dot');
    assert.equal(matcher({ name: '$env-$app', pattern: '$app.$env.beat' }).alarmFor('shop.prod.beat'), 'prod-shop');
    assert.equal(matcher({ name: 'x-$a', pattern: '$a.$a' }).alarmFor('one.one'), 'x-one', 'a repeated variable must repeat its value');
    assert.equal(matcher({ name: 'x-$a', pattern: '$a.$a' }).alarmFor('one.two'), null);
  });

  it('takes any include and refuses on any exclude', () => {
    const sources = matcher({
      name: 'source-$name',
      includes: ['source.$name.*', 'old-source.$name.*'],
      excludes: ['source.deprecated.*'],
    });
    assert.equal(sources.alarmFor('source.billing.import'), 'source-billing');
    assert.equal(sources.alarmFor('old-source.billing.import'), 'source-billing');
    assert.equal(sources.alarmFor('source.deprecated.import'), null);
    assert.equal(sources.alarmFor('elsewhere.billing.import'), null);
  });

  it('treats regular-expression characters in names literally', () => {
    assert.equal(matcher({ pattern: 'a+b.c' }).alarmFor('a+b.c'), 'a');
    assert.equal(matcher({ pattern: 'a+b.c' }).alarmFor('aab.c'), null);
    assert.equal(matcher({ pattern: 'cost$' }).alarmFor('cost$'), 'a', 'a lone $ is a character');
  });

  it('explains definitions that cannot work', () => {
    assert.equal(
      alarmDefinitionProblem({ name: 'x', pattern: '', includes: [], excludes: [] }),
      'an alarm needs a pattern, or includes = [patterns]',
    );
    assert.equal(
      alarmDefinitionProblem({ name: 'server-$name', pattern: 'app.$host.*', includes: [], excludes: [] }),
      'the name uses $name but the pattern "app.$host.*" does not contain $name',
    );
    assert.equal(alarmDefinitionProblem({ name: 'server-$name', pattern: 'app.$name.*', includes: [], excludes: [] }), null);
  });

  // A backtracking matcher (`*` as `.*`) tries every way of placing the stars on the name's 125 dots:
  // C(125, 7) ways for one name, which is hours. It runs in a worker so that a hang is a failure.
  it('answers at once for names that make a backtracking matcher run for hours', async () => {
    const answers = await answerInWorker(
      new URL('./alarm-pattern.js', import.meta.url),
      (patterns: typeof import('./alarm-pattern.js')) => {
        const define = (fields: Partial<AlarmDefinition>) =>
          new patterns.AlarmMatcher({ name: 'a', pattern: '', includes: [], excludes: [], alerts: [], source: 'config', ...fields });
        const hostile = Array.from({ length: 10 }, (_, index) => `${'x.'.repeat(125)}q${index}`);
        const matchers = [
          define({ name: 'prod', pattern: '*.*.*.*.*.*.*.prod' }),
          define({ name: 'server-$name', pattern: '*.$name.*.*.*.*.*.*.prod' }),
          define({ name: 'x-$a', pattern: '$a.*.*.*.*.*.*.$a.prod' }),
          define({ name: 'all', includes: ['*'], excludes: ['*.*.*.*.*.*.*.q*.*'] }),
        ];
        return {
          hostile: hostile.flatMap((name) => matchers.map((matcher) => matcher.alarmFor(name))),
          fitting: [
            matchers[0]!.alarmFor('a.b.c.d.e.f.g.prod'),
            matchers[1]!.alarmFor('a.web.c.d.e.f.g.h.prod'),
            matchers[2]!.alarmFor('one.b.c.d.e.f.g.one.prod'),
            matchers[3]!.alarmFor('x.x.x.x.x.x.x.x.q.x'),
          ],
        };
      },
      'alarm patterns on hostile names',
    );
    assert.deepEqual(answers.hostile, Array.from({ length: 10 }, () => [null, null, null, 'all']).flat());
    assert.deepEqual(answers.fitting, ['prod', 'server-web', 'x-one', null]);
  });
});
