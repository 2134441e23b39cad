import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import type { Services } from '../composition.ts';
import type { Db } from '../store/db.ts';
import { claim, complete, fail, type OutboxJob } from '../store/outbox.repository.ts';

export type JobHandler = (job: OutboxJob) => Promise<void>;

/**
 * The job kinds the server's worker runs, by outbox topic. A later issue that enqueues a new kind of job adds its
 * handler here (built from the services it needs); a topic without a handler fails and is retried, then closed with
 * "no handler for topic", so a job is never silently dropped.
 */
export function serverJobHandlers(services: Services): Record<string, JobHandler> {
  return { ...services.cases.jobHandlers(), ...services.remediation.jobHandlers(), ...services.inventoryFindings.jobHandlers(), ...services.dashboards.jobHandlers() };
}

export interface OutboxWorkerOptions {
  batch?: number;
  leaseMs?: number;
  maxAttempts?: number;
  pollMs?: number;
  onError?: (job: OutboxJob, err: unknown) => void;
}

/**
 * Runs background jobs from the transactional outbox. Every instance may run one; jobs are claimed with a lease, so
 * a crashed worker's jobs are picked up after the lease, and each job is retried with exponential back-off up to
 * `maxAttempts`, after which it is closed with its last error for an operator to look at.
 */
export class OutboxWorker {
  readonly id = `worker-${randomUUID()}`;
  readonly #handlers = new Map<string, JobHandler>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: OutboxWorkerOptions = {},
  ) {}

  handle(topic: string, handler: JobHandler): this {
    this.#handlers.set(topic, handler);
    return this;
  }

  /** Claims and runs one batch; returns how many jobs ran. Tests call this directly. */
  async runOnce(): Promise<number> {
    const now = () => this.clock.now().toISOString();
    const jobs = await claim(this.db, this.id, this.opts.batch ?? 20, now(), this.opts.leaseMs ?? 60_000);
    for (const job of jobs) {
      const handler = this.#handlers.get(job.topic);
      try {
        if (!handler) throw new Error(`no handler for topic ${job.topic}`);
        await handler(job);
        await complete(this.db, job.id, this.id, now());
      } catch (err) {
        this.opts.onError?.(job, err);
        const giveUp = job.attempts >= (this.opts.maxAttempts ?? 8);
        const retryAt = giveUp ? null : new Date(this.clock.now().getTime() + Math.min(2 ** job.attempts * 1000, 3_600_000)).toISOString();
        await fail(this.db, job.id, this.id, err instanceof Error ? err.message : String(err), retryAt, now());
      }
    }
    return jobs.length;
  }

  start(): void {
    const tick = async () => {
      this.#running = this.runOnce().catch(() => 0);
      const ran = await this.#running;
      this.#running = null;
      if (this.#timer !== null) this.#timer = setTimeout(tick, ran > 0 ? 0 : (this.opts.pollMs ?? 1000));
    };
    this.#timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
