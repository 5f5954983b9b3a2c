import { useState } from "preact/hooks";
import { graphql } from "../graphql/tada.js";
import { useQuery } from "../graphql/use-query.js";
import { ErrorList } from "../components/errors.js";
import { EventList } from "../components/event-list.js";
import { PermissionDiffPanel } from "./permission-diff.js";
import { AccessTimeline } from "./access-timeline.js";

const Events = graphql(`query HistoryEvents($filter: EventFilter, $after: String) { events(first: 100, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } edges { node { position type streamId occurredAt payload metadata { actor } } } } }`);

/** The log with filters (entity, actor, type, time), permissionDiff and the access timeline. */
export function HistoryPage({ params }: { params: URLSearchParams }) {
  const [form, setForm] = useState({ entityArn: params.get("arn") ?? "", actor: "", type: "", fromTime: "", toTime: "" });
  const [filter, setFilter] = useState(form);
  const [after, setAfter] = useState<string | null>(null);
  const q = useQuery(Events, {
    after,
    filter: {
      ...(filter.entityArn ? { entityArn: filter.entityArn } : {}),
      ...(filter.actor ? { actor: filter.actor } : {}),
      ...(filter.type ? { types: filter.type.split(",").map((t) => t.trim()) } : {}),
      ...(filter.fromTime ? { fromTime: new Date(filter.fromTime).toISOString() } : {}),
      ...(filter.toTime ? { toTime: new Date(filter.toTime).toISOString() } : {}),
    },
  });
  const field = (name: keyof typeof form, label: string, type: "text" | "datetime-local" = "text") => (
    <label>{label} <input name={name} type={type as "text"} value={form[name]} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} /></label>
  );
  return (
    <section>
      <h1>History</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setFilter(form); setAfter(null); }}>
        {field("entityArn", "Entity ARN")}
        {field("actor", "Actor ARN")}
        {field("type", "Event types (comma separated)")}
        {field("fromTime", "From", "datetime-local")}
        {field("toTime", "To", "datetime-local")}
        <button type="submit">Filter</button>
      </form>
      <ErrorList errors={q.errors} />
      <p class="hint">Oldest first, 100 a page.</p>
      {q.data && <EventList events={q.data.events.edges.map((e) => e.node)} />}
      <div class="pager">
        <button type="button" disabled={after === null} onClick={() => setAfter(null)}>First page</button>
        <button type="button" disabled={!q.data?.events.pageInfo.hasNextPage} onClick={() => setAfter(q.data?.events.pageInfo.endCursor ?? null)}>Next page</button>
      </div>
      <PermissionDiffPanel />
      <AccessTimeline />
    </section>
  );
}
