import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pagerView, queryString } from './pager.js';

const href = (page: number) => `heartbeats?page=${page}`;

describe('pagerView', () => {
  it('says where the shown items sit in the whole, and links previous and next', () => {
    const pager = pagerView({ page: 2, perPage: 100, total: 250 }, href);
    assert.deepEqual([pager.first, pager.last, pager.pages, pager.current], [101, 200, 3, 2]);
    assert.equal(pager.previous, 'heartbeats?page=1');
    assert.equal(pager.next, 'heartbeats?page=3');
    assert.deepEqual(
      pager.window.map((entry) => [entry.number, entry.current]),
      [
        [1, false],
        [2, true],
        [3, false],
      ],
    );
    assert.equal(pager.many, true);
  });

  it('shows five page numbers around the current one, with the first and last outside them', () => {
    const pager = pagerView({ page: 500, perPage: 100, total: 100_000 }, href);
    assert.deepEqual(
      pager.window.map((entry) => entry.number),
      [498, 499, 500, 501, 502],
    );
    assert.equal(pager.firstPage, 'heartbeats?page=1');
    assert.equal(pager.lastPage, 'heartbeats?page=1000');
  });

  it('clamps a page past the end to the last page, and an empty list to one page without links', () => {
    const past = pagerView({ page: 9, perPage: 50, total: 120 }, href);
    assert.deepEqual([past.current, past.first, past.last, past.next], [3, 101, 120, null]);
    const empty = pagerView({ page: 1, perPage: 50, total: 0 }, href);
    assert.deepEqual([empty.first, empty.last, empty.many, empty.previous, empty.next], [0, 0, false, null, null]);
  });
});

describe('queryString', () => {
  it('leaves out empty values and encodes the rest', () => {
    assert.equal(queryString({ q: 'web *', state: '', page: 2, sort: null }), '?q=web%20*&page=2');
    assert.equal(queryString({ q: '' }), '');
  });
});
