import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listQuery, pagination, readListParams } from './monitor-list-params.js';

describe('monitors list URL', () => {
  it('reads filters, sort and page from the query string, and writes the same URL back', () => {
    const params = readListParams({ type: 'http', state: 'down', q: ' shop ', sort: 'uptime', dir: 'desc', page: '3', per_page: '25' });
    assert.deepEqual(params, { type: 'http', state: 'down', q: 'shop', sort: 'uptime', descending: true, page: 3, perPage: 25 });
    assert.equal(listQuery(params), '?type=http&state=down&q=shop&sort=uptime&dir=desc&per_page=25&page=3');
    assert.equal(listQuery(readListParams({})), '', 'the defaults make the shortest URL');
    assert.equal(listQuery({ ...readListParams({}), q: 'a&b=c' }), '?q=a%26b%3Dc');
  });

  it('falls back to the defaults for values that make no sense, instead of failing', () => {
    const params = readListParams({ state: 'exploded', type: '../x', sort: 'mood', page: '-2', per_page: '7' });
    assert.deepEqual(params, { type: null, state: null, q: '', sort: 'name', descending: false, page: 1, perPage: 50 });
    assert.equal(readListParams({ sort: 'last_change' }).descending, true, 'the newest change first, unless asked otherwise');
  });

  it('pages: counts, previous/next and a window of pages, clamped to the last page', () => {
    const pager = pagination({ ...readListParams({}), page: 9, perPage: 25 }, 130, (page) => `p${page}`);
    assert.deepEqual([pager.pages, pager.current, pager.first, pager.last], [6, 6, 126, 130]);
    assert.equal(pager.next, null);
    assert.equal(pager.previous, 'p5');
    assert.deepEqual(
      pager.window.map((page) => page.number),
      [2, 3, 4, 5, 6],
    );
    assert.equal(pager.firstPage, 'p1');
    assert.equal(pagination(readListParams({}), 0, String).first, 0);
  });
});
