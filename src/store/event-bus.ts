import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';

/**
 * Change events and the buses that carry them, in one module: the event type, the interface services publish
 * through, the in-process bus (SQLite: one instance) and the PostgreSQL LISTEN/NOTIFY bus (several instances).
 * Events are published after commit (see writeTx in src/services/context.ts) and carry ids and types only.
 */
export interface ChangeEvent {
  topic: string;
  recordType: string;
  recordId: string;
  organisationId: string | null;
}

export interface EventBus {
  publish(e: ChangeEvent): void;
  subscribe(fn: (e: ChangeEvent) => void): () => void;
}

/** One process: listeners are called synchronously after commit. */
export class LocalEventBus implements EventBus {
  readonly #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  publish(e: ChangeEvent): void {
    this.#emitter.emit('change', e);
  }
  subscribe(fn: (e: ChangeEvent) => void): () => void {
    this.#emitter.on('change', fn);
    return () => this.#emitter.off('change', fn);
  }
}


interface Envelope {
  origin: string;
  event: ChangeEvent;
}

/**
 * Change events across server instances through PostgreSQL LISTEN/NOTIFY. Each instance keeps one listening
 * connection; publishing delivers locally at once and to the other instances through NOTIFY (the instance ignores
 * its own echo). Events carry ids and types only, never record contents, so nothing labelled leaks through them:
 * a subscriber re-reads the record through the access policy.
 */
export class PgEventBus implements EventBus {
  readonly #emitter = new EventEmitter();
  readonly #origin = randomUUID();
  #listener: pg.Client | null = null;
  #closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly publisher: pg.Pool,
    private readonly channel: string,
  ) {
    this.#emitter.setMaxListeners(0);
  }

  /**
   * Channels are per database, not per schema, so the channel is named after the schema: deployments (or test suites)
   * sharing a database in different schemas do not hear each other.
   */
  static async connect(connectionString: string, publisher: pg.Pool): Promise<PgEventBus> {
    const { rows } = await publisher.query<{ schema: string }>('select current_schema() as schema');
    const channel = `clearinghouse_${(rows[0]?.schema ?? 'public').toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
    const bus = new PgEventBus(connectionString, publisher, channel);
    await bus.#listen();
    return bus;
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || !msg.payload) return;
      try {
        const env = JSON.parse(msg.payload) as Envelope;
        if (env.origin !== this.#origin) this.#emitter.emit('change', env.event);
      } catch {
        // a malformed notification is not ours; ignore it
      }
    });
    // A dropped connection (database restart) is re-established; events sent meanwhile are missed, which is why
    // durable work goes through the outbox, not the bus.
    client.on('error', () => void this.#reconnect());
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.#listener = client;
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    this.#listener?.end().catch(() => {});
    this.#listener = null;
    for (let delay = 250; !this.#closed; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.#listen();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  publish(e: ChangeEvent): void {
    this.#emitter.emit('change', e);
    const payload = JSON.stringify({ origin: this.#origin, event: e } satisfies Envelope);
    this.publisher.query('select pg_notify($1, $2)', [this.channel, payload]).catch(() => {});
  }

  subscribe(fn: (e: ChangeEvent) => void): () => void {
    this.#emitter.on('change', fn);
    return () => this.#emitter.off('change', fn);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#listener?.end().catch(() => {});
  }
}
