import { useState } from "preact/hooks";
import type { ApiClient } from "../graphql/client.js";
import { PolicyEditor, type Finding } from "./policy-editor.js";
import { Findings } from "./findings.js";

/**
 * A policy document in a form (an inline policy, a trust policy): the policy editor with its
 * live findings under it; `onBlocking` says whether an ERROR finding should stop the save.
 */
export function DocumentField(props: { client: ApiClient; value: string; onChange(text: string): void; onBlocking(blocking: boolean): void; label: string; policyType?: "IDENTITY_POLICY" | "TRUST_POLICY" }) {
  const [findings, setFindings] = useState<Finding[]>([]);
  return (
    <div class="document-field">
      <PolicyEditor
        client={props.client}
        value={props.value}
        onChange={props.onChange}
        onFindings={(f) => {
          setFindings(f);
          props.onBlocking(f.some((x) => x.findingType === "ERROR"));
        }}
        label={props.label}
        {...(props.policyType ? { policyType: props.policyType } : {})}
      />
      <Findings findings={findings} />
    </div>
  );
}
