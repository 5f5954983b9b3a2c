import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { deleteBoundary, putBoundary, type BoundaryHolder } from "../graphql/holder-mutations.js";
import { href } from "../router.js";
import { ConfirmChange } from "./confirm-change.js";

/**
 * A user's or role's permissions boundary: shown, set (a managed policy's ARN) or removed. Both
 * go through the dry run: a boundary caps what the identity policies allow, so setting one takes
 * permissions away and removing one can give them back.
 */
export function PermissionsBoundary(props: { holder: BoundaryHolder; name: string; current: string | null | undefined; onChanged(): void }) {
  const { client } = useSession();
  const [policyArn, setPolicyArn] = useState("");
  return (
    <div class="boundary">
      <p>
        {props.current ? <>Boundary: <a href={href("policies", props.current)}>{props.current}</a></> : "No permissions boundary."}{" "}
        {props.current && (
          <ConfirmChange label="Remove boundary" title={`Remove the permissions boundary of ${props.name}?`} run={(dryRun) => deleteBoundary(client, props.holder, props.name, dryRun)} onDone={props.onChanged} />
        )}
      </p>
      <div class="inline-form">
        <label>Boundary policy ARN <input name="boundaryArn" value={policyArn} onInput={(e) => setPolicyArn(e.currentTarget.value)} placeholder="arn:aws:iam::aws:policy/…" /></label>
        <ConfirmChange
          danger={false}
          disabled={!policyArn.trim()}
          label={props.current ? "Replace boundary" : "Set boundary"}
          title={`Set ${policyArn.trim()} as the permissions boundary of ${props.name}?`}
          run={(dryRun) => putBoundary(client, props.holder, props.name, policyArn.trim(), dryRun)}
          onDone={() => { setPolicyArn(""); props.onChanged(); }}
        />
      </div>
    </div>
  );
}
