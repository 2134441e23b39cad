import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lostRaceWithAnotherSchema } from './db.ts';

it('retries a migration only when PostgreSQL names a schema that is not ours (another schema dropped meanwhile)', () => {
  assert.equal(lostRaceWithAnotherSchema(new Error('schema "t_bd3985d66452" does not exist'), 't_ours'), true);
  assert.equal(lostRaceWithAnotherSchema(new Error('schema "t_ours" does not exist'), 't_ours'), false, 'our own schema missing is a real error');
  assert.equal(lostRaceWithAnotherSchema(new Error('relation "users" already exists'), 't_ours'), false);
  assert.equal(lostRaceWithAnotherSchema('schema "x" does not exist', null), true);
});
