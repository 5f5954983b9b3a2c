/** Log events as a timeline; payloads are user data, shown as JSON text (never markup). */
export interface EventRow {
  position: number;
  type: string;
  streamId: string;
  occurredAt: string;
  payload: unknown;
  metadata: { actor: string };
}

export function EventList({ events }: { events: readonly EventRow[] }) {
  if (events.length === 0) return <p>No events.</p>;
  return (
    <ol class="events">
      {events.map((e) => (
        <li key={e.position} class="event">
          <div class="event-head">
            <span class="position">#{e.position}</span> <strong class="event-type">{e.type}</strong> <span class="stream">{e.streamId}</span>
            <time dateTime={e.occurredAt}>{new Date(e.occurredAt).toLocaleString()}</time>
          </div>
          <div class="actor">by {e.metadata.actor}</div>
          <details>
            <summary>Payload</summary>
            <pre>{JSON.stringify(e.payload, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ol>
  );
}
