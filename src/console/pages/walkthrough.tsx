import { useState } from "preact/hooks";
import { useSession, isRoot } from "../graphql/context.js";
import { payloadOf, type ApiError } from "../graphql/errors.js";
import { AddUserToGroup, AttachGroupPolicy, CreateAccessKey, CreateGroup, CreateUser } from "../graphql/mutations.js";
import { ErrorList, errorsOf } from "../components/errors.js";
import { NewKey } from "../components/copy-button.js";

const adminPolicy = "arn:aws:iam::aws:policy/AdministratorAccess";
type Status = "pending" | "running" | "done" | "failed";

/**
 * AWS's "create your first IAM user and group", in one form: an administrators group with
 * AdministratorAccess, the first user, their access key, the membership — then put root away.
 */
export function Walkthrough() {
  const { client, caller } = useSession();
  const [groupName, setGroup] = useState("Administrators");
  const [userName, setUser] = useState("admin");
  const [status, setStatus] = useState<Status[]>([]);
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [key, setKey] = useState<{ accessKeyId: string; secretAccessKey: string; userName: string }>();

  const steps: [string, () => Promise<unknown>][] = [
    [`Create the group ${groupName}`, async () => payloadOf((await client.run(CreateGroup, { groupName })).createGroup)],
    ["Attach AdministratorAccess to the group", async () => payloadOf((await client.run(AttachGroupPolicy, { groupName, policyArn: adminPolicy })).attachGroupPolicy)],
    [`Create the user ${userName}`, async () => payloadOf((await client.run(CreateUser, { userName })).createUser)],
    [`Create an access key for ${userName}`, async () => {
      const r = payloadOf((await client.run(CreateAccessKey, { userName })).createAccessKey);
      setKey(r.accessKey);
    }],
    [`Add ${userName} to ${groupName}`, async () => payloadOf((await client.run(AddUserToGroup, { userName, groupName })).addUserToGroup)],
  ];

  async function start() {
    setErrors([]);
    const s: Status[] = steps.map(() => "pending");
    for (let i = 0; i < steps.length; i++) {
      s[i] = "running";
      setStatus([...s]);
      try {
        await steps[i]![1]();
        s[i] = "done";
      } catch (err) {
        s[i] = "failed";
        setStatus([...s]);
        setErrors(errorsOf(err));
        return;
      }
      setStatus([...s]);
    }
  }

  const finished = status.length > 0 && status.every((x) => x === "done");
  return (
    <section class="walkthrough">
      <h1>Create your first IAM user and group</h1>
      {!isRoot(caller.arn) && <p class="hint">You are signed in as {caller.arn}; the walkthrough is meant for the account's root key.</p>}
      <p>
        As AWS recommends, use the root key once: create an administrators group with the AWS-managed{" "}
        <code>AdministratorAccess</code> policy, create your first user with an access key, add them to the group — then sign in as
        that user and put the root key away.
      </p>
      <form onSubmit={(e) => { e.preventDefault(); void start(); }}>
        <label>Group name <input name="groupName" value={groupName} onInput={(e) => setGroup(e.currentTarget.value)} required /></label>
        <label>User name <input name="userName" value={userName} onInput={(e) => setUser(e.currentTarget.value)} required /></label>
        <button type="submit" disabled={status.includes("running") || finished}>Create group and user</button>
      </form>
      <ol class="steps">
        {steps.map(([label], i) => (
          <li key={i} class={`step ${status[i] ?? "pending"}`}><span class="mark" aria-hidden="true">{mark(status[i])}</span> {label}<span class="sr-only"> ({status[i] ?? "pending"})</span></li>
        ))}
      </ol>
      <ErrorList errors={errors} />
      {key && <NewKey accessKey={key} />}
      {finished && (
        <div class="advice" role="status">
          <h2>Now put the root key away</h2>
          <p>Sign out, sign in with {userName}'s access key, and keep the root credentials somewhere safe for the few tasks only root can do.</p>
        </div>
      )}
    </section>
  );
}

const mark = (s: Status | undefined) => (s === "done" ? "✓" : s === "failed" ? "✗" : s === "running" ? "…" : "○");
