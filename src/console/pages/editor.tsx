import { useEffect, useMemo, useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { graphql } from "../graphql/tada.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { CreatePolicy, CreatePolicyVersion } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { PolicyEditor, type Finding } from "../editor/policy-editor.js";
import { Findings } from "../editor/findings.js";
import { StatementBuilder } from "../editor/statement-builder.js";
import { readDocument, starterPolicy, writeDocument } from "../editor/statement-model.js";
import { href, navigate } from "../router.js";

const LoadPolicy = graphql(`query EditorPolicy($arn: String!) { policy(arn: $arn) { arn policyName isAwsManaged defaultVersion { versionId document } } }`);

/** Write a policy: JSON with live findings, or the visual builder; save as a new policy or version. */
export function EditorPage({ params }: { params: URLSearchParams }) {
  const { client } = useSession();
  const arn = params.get("arn") ?? undefined;
  const [text, setText] = useState(starterPolicy);
  const [findings, setFindings] = useState<Finding[]>([]);
  const [name, setName] = useState("");
  const [asDefault, setAsDefault] = useState(true);
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [policyName, setPolicyName] = useState<string>();
  const [saved, setSaved] = useState<string>();

  useEffect(() => {
    if (!arn) return;
    void client.run(LoadPolicy, { arn }).then(
      (d) => {
        if (d.policy) {
          setText(d.policy.defaultVersion.document);
          setPolicyName(d.policy.policyName);
        } else setErrors([{ code: "NoSuchEntity", message: `Policy ${arn} does not exist.` }]);
      },
      (err) => setErrors(errorsOf(err)),
    );
  }, [arn]);

  const doc = useMemo(() => readDocument(text), [text]);
  const blocking = findings.some((f) => f.findingType === "ERROR");

  async function save() {
    setErrors([]);
    setSaved(undefined);
    try {
      if (arn) {
        payloadOf((await client.run(CreatePolicyVersion, { policyArn: arn, policyDocument: text, setAsDefault: asDefault })).createPolicyVersion);
        setSaved(`Saved a new version of ${policyName ?? arn}.`);
      } else {
        const r = payloadOf((await client.run(CreatePolicy, { policyName: name, policyDocument: text })).createPolicy);
        if (r.__typename === "PolicyPayload") navigate(href("policies", r.policy.arn));
      }
    } catch (err) {
      setErrors(errorsOf(err));
    }
  }

  return (
    <section class="editor-page">
      <h1>{arn ? `Edit ${policyName ?? "policy"}` : "Policy editor"}</h1>
      <div class="editor-columns">
        <div>
          <h2 id="json-heading">JSON</h2>
          <PolicyEditor client={client} value={text} onChange={setText} onFindings={setFindings} label="Policy document (JSON)" />
          <Findings findings={findings} />
        </div>
        <div>
          <h2>Visual builder</h2>
          {doc ? <StatementBuilder doc={doc} onChange={(d) => setText(writeDocument(d))} /> : <p class="hint">The builder follows the JSON once it parses.</p>}
        </div>
      </div>
      <form class="save" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        {arn ? (
          <label class="inline"><input type="checkbox" checked={asDefault} onChange={(e) => setAsDefault(e.currentTarget.checked)} /> Set as default version</label>
        ) : (
          <label>Policy name <input name="policyName" value={name} required onInput={(e) => setName(e.currentTarget.value)} /></label>
        )}
        <button type="submit" disabled={blocking}>{arn ? "Save new version" : "Create policy"}</button>
        {blocking && <span class="hint">Fix the errors first.</span>}
      </form>
      <ErrorList errors={errors} />
      {saved && <p role="status">{saved}</p>}
    </section>
  );
}
