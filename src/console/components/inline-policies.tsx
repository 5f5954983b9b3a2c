import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { deleteInlinePolicy, putInlinePolicy, type PolicyHolder } from "../graphql/holder-mutations.js";
import { DocumentField } from "../editor/document-field.js";
import { starterPolicy } from "../editor/statement-model.js";
import { ConfirmChange } from "./confirm-change.js";

interface InlinePolicy {
  readonly policyName: string;
  readonly policyDocument: string;
}

/**
 * A user's, group's or role's inline policies: each shown, edited in the policy editor (findings
 * as you type) or deleted, and new ones added. Every save and delete goes through the confirm
 * dialog's dry run first, since rewriting a policy can take permissions away as well as give them.
 */
export function InlinePolicies(props: { holder: PolicyHolder; name: string; policies: readonly InlinePolicy[]; onChanged(): void }) {
  const [editing, setEditing] = useState<string>();
  return (
    <div class="inline-policies">
      {props.policies.length === 0 && <p>None.</p>}
      {props.policies.map((p) => (
        <details key={p.policyName} open={editing === p.policyName}>
          <summary>{p.policyName}</summary>
          {editing === p.policyName ? (
            <InlineForm {...props} policyName={p.policyName} initial={p.policyDocument} onCancel={() => setEditing(undefined)} onSaved={() => { setEditing(undefined); props.onChanged(); }} />
          ) : (
            <>
              <pre>{p.policyDocument}</pre>
              <div class="actions">
                <button type="button" onClick={() => setEditing(p.policyName)}>Edit {p.policyName}</button>{" "}
                <InlineDelete {...props} policyName={p.policyName} />
              </div>
            </>
          )}
        </details>
      ))}
      <details class="add-inline" open={editing === ""}>
        <summary onClick={(e) => { e.preventDefault(); setEditing(editing === "" ? undefined : ""); }}>Add inline policy</summary>
        {editing === "" && <InlineForm {...props} initial={starterPolicy} onCancel={() => setEditing(undefined)} onSaved={() => { setEditing(undefined); props.onChanged(); }} />}
      </details>
    </div>
  );
}

function InlineDelete(props: { holder: PolicyHolder; name: string; policyName: string; onChanged(): void }) {
  const { client } = useSession();
  return (
    <ConfirmChange
      label={`Delete ${props.policyName}`}
      title={`Delete inline policy ${props.policyName} of ${props.name}?`}
      run={(dryRun) => deleteInlinePolicy(client, props.holder, props.name, props.policyName, dryRun)}
      onDone={props.onChanged}
    />
  );
}

/** One inline policy being written: a new one (a name to give) or an existing one (its name fixed). */
function InlineForm(props: { holder: PolicyHolder; name: string; policyName?: string; initial: string; onCancel(): void; onSaved(): void }) {
  const { client } = useSession();
  const [policyName, setPolicyName] = useState(props.policyName ?? "");
  const [text, setText] = useState(props.initial);
  const [blocking, setBlocking] = useState(false);
  const editingExisting = props.policyName !== undefined;
  return (
    <div class="inline-form-editor">
      {!editingExisting && <label>Inline policy name <input name="inlinePolicyName" value={policyName} required onInput={(e) => setPolicyName(e.currentTarget.value)} /></label>}
      <DocumentField client={client} value={text} onChange={setText} onBlocking={setBlocking} label={`Inline policy ${policyName || "(new)"} (JSON)`} />
      <div class="actions">
        <ConfirmChange
          danger={false}
          disabled={blocking || !policyName}
          label={editingExisting ? `Save ${policyName}` : "Save inline policy"}
          title={`Save inline policy ${policyName} on ${props.name}?`}
          run={(dryRun) => putInlinePolicy(client, props.holder, props.name, policyName, text, dryRun)}
          onDone={props.onSaved}
        />{" "}
        <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button>
        {blocking && <span class="hint"> Fix the errors first.</span>}
      </div>
    </div>
  );
}
