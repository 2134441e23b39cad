import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { OutboxWorker } from '../../src/services/outbox-worker.ts';
import { claim, enqueue } from '../../src/store/outbox.repository.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';

describeEachDriver('transactional outbox', (driver) => {
  let c: TestContainer;
  const clock = new ManualClock('2026-11-26T12:00:00.000Z');
  before(async () => {
    c = await testContainer(driver, { clock });
  });
  after(() => c.destroy());
  const now = () => clock.now().toISOString();

  it('a job exists only if its transaction committed', async () => {
    await assert.rejects(
      c.handle.db.transaction().execute(async (tx) => {
        await enqueue(tx, 'test.rolled-back', { n: 1 }, now());
        throw new Error('boom');
      }),
    );
    await c.handle.db.transaction().execute((tx) => enqueue(tx, 'test.committed', { n: 2 }, now()));
    const rows = await c.handle.db.selectFrom('outbox').select('topic').execute();
    assert.deepEqual(rows.map((r) => r.topic), ['test.committed']);
  });

  it('runs jobs once, retries failures with back-off, and gives up after the last attempt', async () => {
    const seen: unknown[] = [];
    let failures = 0;
    const worker = new OutboxWorker(c.handle.db, clock, { maxAttempts: 2 })
      .handle('test.committed', async (job) => {
        seen.push(job.payload);
      })
      .handle('test.flaky', async () => {
        failures++;
        throw new Error('downstream unavailable');
      });
    await c.handle.db.transaction().execute((tx) => enqueue(tx, 'test.flaky', {}, now()));
    assert.equal(await worker.runOnce(), 2);
    assert.deepEqual(seen, [{ n: 2 }]);
    assert.equal(await worker.runOnce(), 0, 'the failed job waits for its back-off');
    clock.advance(2_001);
    assert.equal(await worker.runOnce(), 1);
    assert.equal(failures, 2);
    clock.advance(10_000);
    assert.equal(await worker.runOnce(), 0, 'given up after maxAttempts');
    const flaky = await c.handle.db.selectFrom('outbox').selectAll().where('topic', '=', 'test.flaky').executeTakeFirstOrThrow();
    assert.equal(flaky.last_error, 'downstream unavailable');
    assert.ok(flaky.done_at);
    assert.equal(seen.length, 1, 'the successful job never ran twice');
  });

  it('concurrent claimers never take the same job, and an expired lease is claimed again', async () => {
    await c.handle.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 40; i++) await enqueue(tx, 'test.bulk', { i }, now());
    });
    const [a, b, d] = await Promise.all([claim(c.handle.db, 'a', 15, now(), 1000), claim(c.handle.db, 'b', 15, now(), 1000), claim(c.handle.db, 'd', 15, now(), 1000)]);
    const ids = [...a, ...b, ...d].map((j) => j.id);
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40, 'no job claimed twice');
    assert.equal((await claim(c.handle.db, 'e', 50, now(), 1000)).length, 0, 'all leased');
    clock.advance(1001);
    assert.equal((await claim(c.handle.db, 'e', 50, now(), 1000)).length, 40, 'leases expired: due again');
  });
});
