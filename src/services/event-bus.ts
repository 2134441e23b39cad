import { EventEmitter } from 'node:events';
import type { ChangeEvent } from './context.ts';

/**
 * Change notifications for live views and background work. In-process here; a PostgreSQL LISTEN/NOTIFY transport
 * carries them across instances when several servers share one database (see docs/ARCHITECTURE.md).
 */
export interface EventBus {
  publish(e: ChangeEvent): void;
  subscribe(fn: (e: ChangeEvent) => void): () => void;
}

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
