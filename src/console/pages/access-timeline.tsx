import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql, type ResultOf } from "../graphql/tada.js";
import type { ApiError } from "../graphql/errors.js";
import { ErrorList, errorsOf } from "../components/errors.js";

const Timeline = graphql(`
  query AccessTimeline($principalArn: String!, $action: String!, $now: DateTime!) {
    accessTimeline(principalArn: $principalArn, action: $action) { openedBy { position occurredAt type } closedBy { position occurredAt type } allowedBy { sid source { policyName } } }
    asOf(at: { timestamp: $now }) { position }
  }
`);

/** The intervals of the log during which the request was allowed, drawn over positions. */
export function AccessTimeline() {
  const { client } = useSession();
  const [principalArn, setArn] = useState("");
  const [action, setAction] = useState("iam:CreateUser");
  const [data, setData] = useState<ResultOf<typeof Timeline>>();
  const [errors, setErrors] = useState<ApiError[]>([]);
  // The chart spans the log from its start to its head (the position as of now).
  const end = Math.max(1, data?.asOf.position ?? 1);
  const x = (p: number) => (p / end) * 100;
  return (
    <div class="panel">
      <h2>Access timeline</h2>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setErrors([]); void client.run(Timeline, { principalArn, action, now: new Date().toISOString() }).then(setData, (err) => setErrors(errorsOf(err))); }}>
        <label>Principal ARN <input value={principalArn} required onInput={(e) => setArn(e.currentTarget.value)} /></label>
        <label>Action <input value={action} required onInput={(e) => setAction(e.currentTarget.value)} /></label>
        <button type="submit">Draw</button>
      </form>
      <ErrorList errors={errors} />
      {data && (
        <figure>
          <svg class="timeline" viewBox="0 0 100 12" preserveAspectRatio="none" role="img" aria-label={`${data.accessTimeline.length} interval(s) allowed, over log positions 0 to ${end}`}>
            <rect x="0" y="4" width="100" height="4" class="timeline-track" />
            {data.accessTimeline.map((iv, i) => <rect key={i} x={x(iv.openedBy.position)} y="2" width={Math.max(0.5, x(iv.closedBy?.position ?? end) - x(iv.openedBy.position))} height="8" class="timeline-allowed" />)}
          </svg>
          <figcaption>
            <ul>{data.accessTimeline.map((iv, i) => <li key={i}>allowed from #{iv.openedBy.position} ({iv.openedBy.type}) {iv.closedBy ? `to #${iv.closedBy.position} (${iv.closedBy.type})` : "until now"} by {iv.allowedBy.map((s) => `${s.source.policyName}${s.sid ? `/${s.sid}` : ""}`).join(", ")}</li>)}</ul>
            {data.accessTimeline.length === 0 && <p>Never allowed.</p>}
          </figcaption>
        </figure>
      )}
    </div>
  );
}
