import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchPath } from './router.tsx';

describe('matchPath', () => {
  it('matches literal segments and captures decoded parameters', () => {
    assert.deepEqual(matchPath('/organisations', '/organisations'), {});
    assert.deepEqual(matchPath('/organisations/:id', '/organisations/a%2Fb%20c'), { id: 'a/b c' });
    assert.deepEqual(matchPath('/organisations/:id', '/organisations/abc/'), { id: 'abc' });
  });

  it('rejects different lengths and different literals', () => {
    assert.equal(matchPath('/organisations/:id', '/organisations'), null);
    assert.equal(matchPath('/organisations/:id', '/users/abc'), null);
    assert.equal(matchPath('/', '/users'), null);
    assert.deepEqual(matchPath('/', '/'), {});
  });
});
