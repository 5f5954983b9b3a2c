import { emptyStatement, type BuilderDocument, type BuilderStatement, type ConditionRow } from "./statement-model.js";

const operators = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnLike", "ArnEquals", "NumericLessThan", "NumericGreaterThan", "DateLessThan", "DateGreaterThan", "Bool", "IpAddress", "NotIpAddress", "Null"];
const lines = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

/** Effect, actions, resources and conditions per statement; every edit rewrites the JSON. */
export function StatementBuilder({ doc, onChange }: { doc: BuilderDocument; onChange(d: BuilderDocument): void }) {
  const set = (i: number, s: BuilderStatement) => onChange({ ...doc, statements: doc.statements.map((x, j) => (j === i ? s : x)) });
  return (
    <div class="builder">
      {doc.statements.map((s, i) => (
        <fieldset key={i} class="statement">
          <legend>Statement {i + 1}{s.sid ? ` — ${s.sid}` : ""}</legend>
          <label>Sid <input value={s.sid} onChange={(e) => set(i, { ...s, sid: e.currentTarget.value })} /></label>
          <label>
            Effect
            <select value={s.effect} onChange={(e) => set(i, { ...s, effect: e.currentTarget.value as "Allow" | "Deny" })}>
              <option>Allow</option>
              <option>Deny</option>
            </select>
          </label>
          <label>Actions (one per line) <textarea rows={3} value={s.actions.join("\n")} onChange={(e) => set(i, { ...s, actions: lines(e.currentTarget.value) })} /></label>
          <label>Resources (one per line) <textarea rows={2} value={s.resources.join("\n")} onChange={(e) => set(i, { ...s, resources: lines(e.currentTarget.value) })} /></label>
          <Conditions rows={s.conditions} onChange={(conditions) => set(i, { ...s, conditions })} />
          <button type="button" class="link" onClick={() => onChange({ ...doc, statements: doc.statements.filter((_, j) => j !== i) })}>Remove statement {i + 1}</button>
        </fieldset>
      ))}
      <button type="button" onClick={() => onChange({ ...doc, statements: [...doc.statements, emptyStatement()] })}>Add statement</button>
    </div>
  );
}

function Conditions({ rows, onChange }: { rows: ConditionRow[]; onChange(r: ConditionRow[]): void }) {
  const set = (i: number, r: ConditionRow) => onChange(rows.map((x, j) => (j === i ? r : x)));
  return (
    <div class="conditions">
      <span class="label">Conditions</span>
      {rows.map((c, i) => (
        <div class="condition" key={i}>
          <input aria-label={`Condition ${i + 1} operator`} list="condition-operators" value={c.operator} onChange={(e) => set(i, { ...c, operator: e.currentTarget.value })} />
          <input aria-label={`Condition ${i + 1} key`} value={c.key} placeholder="aws:SourceIp" onChange={(e) => set(i, { ...c, key: e.currentTarget.value })} />
          <input aria-label={`Condition ${i + 1} values`} value={c.values.join(", ")} placeholder="values, comma separated" onChange={(e) => set(i, { ...c, values: lines(e.currentTarget.value) })} />
          <button type="button" class="link" aria-label={`Remove condition ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button>
        </div>
      ))}
      <datalist id="condition-operators">{operators.map((o) => <option key={o} value={o} />)}</datalist>
      <button type="button" class="link" onClick={() => onChange([...rows, { operator: "StringEquals", key: "", values: [] }])}>Add condition</button>
    </div>
  );
}
