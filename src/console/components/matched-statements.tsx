import type { ResultOf } from "../graphql/tada.js";
import { graphql } from "../graphql/tada.js";

export const MatchedFields = graphql(`
  fragment MatchedFields on MatchedStatement {
    effect sid statementIndex sourcePolicyId sourcePolicyType
    provenance { kind role policyName policyArn versionId attachedTo { type name arn } viaGroup { groupName arn } }
    conditions { key operator matched policyValues contextValues }
  }
`);
type Matched = ResultOf<typeof MatchedFields>;

/** principal or group → policy@version → Sid → conditions: why the evaluator decided as it did. */
export function ProvenancePath({ m }: { m: Matched }) {
  const p = m.provenance;
  return (
    <span class="provenance">
      {p.viaGroup ? <>group <strong>{p.viaGroup.groupName}</strong> → </> : <>{p.attachedTo.type} <strong>{p.attachedTo.name}</strong> → </>}
      {p.kind} policy <strong>{p.policyName}</strong>{p.versionId ? `@${p.versionId}` : ""}{p.role === "boundary" ? " (permissions boundary)" : ""} → statement {m.sid ? <strong class="sid">{m.sid}</strong> : `#${m.statementIndex + 1}`}
      {" "}(<span class={`effect ${m.effect}`}>{m.effect}</span>)
    </span>
  );
}

export function MatchedStatements({ statements }: { statements: readonly Matched[] }) {
  if (statements.length === 0) return <span class="hint">no statement matched</span>;
  return (
    <ul class="matched">
      {statements.map((m, i) => (
        <li key={i}>
          <ProvenancePath m={m} />
          {m.conditions.length > 0 && (
            <ul class="condition-trace">
              {m.conditions.map((c, j) => (
                <li key={j} class={c.matched ? "met" : "unmet"}>
                  condition {c.operator} {c.key} ∈ [{c.policyValues.join(", ")}] — request: {c.contextValues ? `[${c.contextValues.join(", ")}]` : "absent"} → {c.matched ? "met" : "not met"}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}
