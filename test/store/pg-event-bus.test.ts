import assert from 'node:assert/strict';
import { it } from 'node:test';
import pg from 'pg';
import { PgEventBus, type ChangeEvent } from '../../src/store/event-bus.ts';
import { loadConfig } from '../../src/config.ts';
import { createContainer } from '../../src/composition.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { describePostgres, TEST_DATABASE_URL } from '../helpers/db.ts';

function nextEvent(bus: PgEventBus, timeoutMs = 5000): Promise<ChangeEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no event arrived')), timeoutMs);
    const off = bus.subscribe((e) => {
      clearTimeout(t);
      off();
      resolve(e);
    });
  });
}

// SQLite is one file behind one instance, so only PostgreSQL has instances to reach.
describePostgres('event bus across instances', () => {
  it('an event published on one instance reaches the others once, and not its own echo twice', async () => {
    const poolA = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    const poolB = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    const a = await PgEventBus.connect(TEST_DATABASE_URL, poolA);
    const b = await PgEventBus.connect(TEST_DATABASE_URL, poolB);
    try {
      const seenByA: ChangeEvent[] = [];
      const offA = a.subscribe((e) => seenByA.push(e));
      const event: ChangeEvent = { topic: 'organisation.create', recordType: 'organisation', recordId: 'r-1', organisationId: 'o-1' };
      const arrived = nextEvent(b);
      a.publish(event);
      assert.deepEqual(await arrived, event);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(seenByA, [event], 'the publisher sees its own event exactly once');
      offA();
    } finally {
      await a.close();
      await b.close();
      await poolA.end();
      await poolB.end();
    }
  });
});

describePostgres('two server instances over one database', () => {
  it('a change committed through one instance is announced on the other', async () => {
    const schema = `bus_${Math.random().toString(16).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, CLEARINGHOUSE_LOG_LEVEL: 'silent' }, { data: '/tmp/unused' });
    const one = await createContainer(config, { pgSchema: schema });
    const two = await createContainer(config, { pgSchema: schema });
    try {
      const heard = new Promise<ChangeEvent>((resolve) => two.deps.events.subscribe(resolve));
      const org = await one.services.organisations.create(systemPrincipal('cli'), { name: 'Announced Org', kind: 'vendor' });
      const e = await Promise.race([heard, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not announced')), 5000))]);
      assert.deepEqual(e, { topic: 'organisation.create', recordType: 'organisation', recordId: org.id, organisationId: org.id });
    } finally {
      await one.close();
      await two.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
