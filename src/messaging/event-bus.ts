import type { StoredEvent } from "../eventstore/stored-event.js";

/**
 * Committed events, in position order, for whoever reacts after the fact (caches, subscriptions).
 * In-process by default; a Kafka relay can feed the same interface across instances.
 */
export interface EventBus {
  publish(events: readonly StoredEvent[]): void;
  subscribe(listener: (events: readonly StoredEvent[]) => void): () => void;
}

export function createInProcessBus(onListenerError: (err: unknown) => void = () => undefined): EventBus {
  const listeners = new Set<(events: readonly StoredEvent[]) => void>();
  return {
    publish(events) {
      if (events.length === 0) return;
      for (const listener of listeners) {
        // A failing listener must not break the write that already committed, nor other listeners.
        try {
          listener(events);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
