import { useState } from "preact/hooks";
import { useSession } from "../graphql/context.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { CreateRole } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { DocumentField } from "../editor/document-field.js";
import { href, navigate } from "../router.js";

/** AWS's console starts a role from "an AWS account" trusting this account: the same here. */
const starterTrust = (account: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" }] }, null, 2);

/** CreateRole: name, path, trust policy (the policy editor, checked as a trust policy), session length, description. */
export function CreateRoleForm() {
  const { client, caller } = useSession();
  const [roleName, setRoleName] = useState("");
  const [path, setPath] = useState("/");
  const [description, setDescription] = useState("");
  const [maxSessionDuration, setMax] = useState(3600);
  const [trust, setTrust] = useState(() => starterTrust(caller.account));
  const [blocking, setBlocking] = useState(false);
  const [errors, setErrors] = useState<ApiError[]>([]);
  async function create() {
    setErrors([]);
    try {
      const r = payloadOf((await client.run(CreateRole, { roleName, path, description, maxSessionDuration, assumeRolePolicyDocument: trust })).createRole);
      if (r.__typename === "RolePayload") navigate(href("roles", r.role.roleName));
    } catch (err) {
      setErrors(errorsOf(err));
    }
  }
  return (
    <form class="create-role" onSubmit={(e) => { e.preventDefault(); void create(); }}>
      <div class="inline-form">
        <label>Role name <input name="roleName" value={roleName} required maxLength={64} onInput={(e) => setRoleName(e.currentTarget.value)} /></label>
        <label>Path <input name="rolePath" value={path} required onInput={(e) => setPath(e.currentTarget.value)} /></label>
        <label>Max session duration (s) <input name="maxSessionDuration" type="number" min={3600} max={43200} value={maxSessionDuration} onInput={(e) => setMax(Number(e.currentTarget.value))} /></label>
      </div>
      <label>Description <input name="roleDescription" value={description} maxLength={1000} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
      <p id="trust-heading">Trust policy: who may assume the role</p>
      <DocumentField client={client} value={trust} onChange={setTrust} onBlocking={setBlocking} label="Trust policy (JSON)" policyType="TRUST_POLICY" />
      <ErrorList errors={errors} />
      <div><button type="submit" disabled={blocking}>Create role</button>{blocking && <span class="hint"> Fix the errors first.</span>}</div>
    </form>
  );
}
