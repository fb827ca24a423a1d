import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerConfig } from '../config/config.schema.js';
import { Clock } from '../runtime/clock.js';
import { ConsoleSite } from './console-site.js';
import { StaticFiles } from './static-files.js';
import { printsUnescaped, ViewEngine } from './view-engine.js';

function engineAt(publicUrl: string): ViewEngine {
  const config = new ServerConfig();
  config.public_url = publicUrl;
  return new ViewEngine(new ConsoleSite(config), new StaticFiles(), new Clock());
}

describe('view engine', () => {
  it('compiles every template under views/ at start (none prints unescaped HTML)', () => {
    const engine = engineAt('');
    assert.ok(engine.hasPartial('tokens/row'));
    assert.ok(engine.hasPartial('console/sidebar'));
  });

  it('refuses triple-stash and ampersand output in templates', () => {
    for (const source of ['{{{name}}}', '{{~{name}~}}', '{{& name}}', '{{~& name}}']) assert.equal(printsUnescaped(source), true, source);
    for (const source of ['{{name}}', '{{#if a}}&amp;{{/if}}', '{{> tokens/row}}', "{{url 'a&b'}}"])
      assert.equal(printsUnescaped(source), false, source);
  });

  it('escapes what it is given and builds URLs under the base path', () => {
    const engine = engineAt('https://host/monitoring/pulse/');
    const html = engine.renderPartial('tokens/row', {
      id: 7,
      name: '<img src=x onerror=alert(1)>',
      type: 'agent',
      hint: '"q\'',
      state: 'active',
      createdAt: 0,
      expiresAt: null,
      lastUsedAt: null,
      current: false,
      console: { csrfToken: 'abc' },
    });
    assert.ok(html.includes('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;'));
    assert.ok(!html.includes('<img'));
    assert.ok(html.includes('…&quot;q&#x27;'));
    assert.ok(html.includes('action="/monitoring/pulse/tokens/7/revoke"'));
    assert.ok(html.includes('<span class="state state-ok">Active</span>'), 'state as a word and a tone');
  });

  it('names a missing page or partial', () => {
    const engine = engineAt('');
    assert.throws(() => engine.renderPartial('tokens/nope', {}), /no partial "tokens\/nope"/);
    assert.throws(() => engine.renderPage('nope/nope', {}, 'main'), /no page "nope\/nope"/);
  });
});
