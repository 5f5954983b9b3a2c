import { beforeAll, describe, expect, it } from "vitest";
import { serviceReference } from "../../../src/catalogue/service-reference.js";
import { checkAccessNotGranted } from "../../../src/policy/checks/check-access-not-granted.js";
import { checkNoNewAccess } from "../../../src/policy/checks/check-no-new-access.js";
import { identityPolicyFor, principalWitnesses } from "../../../src/policy/checks/resource-policy.js";
import { parsePolicyDocument } from "../../../src/policy/parse.js";
import type { ServiceReference } from "../../../src/policy/service-reference.js";

// Access Analyzer's checks on resource-based policies (policyType RESOURCE_POLICY): pairs whose
// answers follow from AWS's rules for the Principal element (reference_policies_elements_principal,
// _notprincipal): naming an account grants to every principal of it, "*" to everyone, a role to
// its sessions, NotPrincipal to everyone it does not name.

let reference: ServiceReference;
beforeAll(async () => {
  reference = await serviceReference();
});

const ACCOUNT = "111122223333";
const READER = `arn:aws:iam::${ACCOUNT}:role/reader`;
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const grant = (Principal: unknown, Action: unknown = "s3:GetObject", Resource: unknown = "arn:aws:s3:::b/*", Condition?: unknown) => ({
  Effect: "Allow",
  Principal,
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const toAccount = grant({ AWS: ACCOUNT });

const rows: { name: string; newDoc: string; existing: string; result: "PASS" | "FAIL"; statementIndexes?: number[]; principal?: string }[] = [
  { name: "the same policy", newDoc: doc(toAccount), existing: doc(toAccount), result: "PASS" },
  { name: "the account by its root ARN is the account", newDoc: doc(grant({ AWS: `arn:aws:iam::${ACCOUNT}:root` })), existing: doc(toAccount), result: "PASS" },
  { name: "from the account to everyone", newDoc: doc(grant("*")), existing: doc(toAccount), result: "FAIL", statementIndexes: [0], principal: "a principal of an account no policy names" },
  { name: "from AWS: * to everyone includes services", newDoc: doc(grant("*")), existing: doc(grant({ AWS: "*" })), result: "FAIL", statementIndexes: [0], principal: "a service no policy names" },
  { name: "from the account to one of its roles", newDoc: doc(grant({ AWS: READER })), existing: doc(toAccount), result: "PASS" },
  { name: "from one role to its account", newDoc: doc(toAccount), existing: doc(grant({ AWS: READER })), result: "FAIL", statementIndexes: [0], principal: `arn:aws:iam::${ACCOUNT}:root` },
  { name: "a new service principal", newDoc: doc(toAccount, grant({ Service: "cloudtrail.amazonaws.com" }, "s3:PutObject")), existing: doc(toAccount), result: "FAIL", statementIndexes: [1], principal: "cloudtrail.amazonaws.com" },
  { name: "the same account, a new action", newDoc: doc(grant({ AWS: ACCOUNT }, ["s3:GetObject", "s3:DeleteObject"])), existing: doc(toAccount), result: "FAIL", statementIndexes: [0] },
  { name: "NotPrincipal grants to everyone else", newDoc: doc({ Effect: "Allow", NotPrincipal: { AWS: READER }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }), existing: doc(toAccount), result: "FAIL", statementIndexes: [0] },
  {
    name: "a Deny with NotPrincipal confines Principal * to the account",
    newDoc: doc(grant("*"), { Effect: "Deny", NotPrincipal: { AWS: ACCOUNT }, Action: "s3:*", Resource: "*" }),
    existing: doc(toAccount),
    result: "PASS",
  },
  { name: "a Deny in the existing policy for a role", newDoc: doc(toAccount), existing: doc(toAccount, { Effect: "Deny", Principal: { AWS: READER }, Action: "s3:*", Resource: "*" }), result: "FAIL", statementIndexes: [0], principal: `a session of ${READER}` },
  {
    name: "a trust policy (no Resource): the account, then anyone in the organisation",
    newDoc: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } }),
    existing: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" }),
    result: "FAIL",
    statementIndexes: [0],
  },
  {
    name: "a trust policy narrowed to one role",
    newDoc: doc({ Effect: "Allow", Principal: { AWS: READER }, Action: "sts:AssumeRole" }),
    existing: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" }),
    result: "PASS",
  },
  { name: "a web identity provider added", newDoc: doc(grant({ Federated: "accounts.google.com" }, "sts:AssumeRoleWithWebIdentity", "*")), existing: doc(toAccount), result: "FAIL", statementIndexes: [0], principal: "accounts.google.com" },
];

describe("CheckNoNewAccess on resource policies", () => {
  it.each(rows)("$name → $result", (row) => {
    const outcome = checkNoNewAccess(row.newDoc, row.existing, "RESOURCE_POLICY", reference);
    if (!outcome.ok) throw new Error(`${outcome.code}: ${outcome.message}`);
    expect(outcome.response.result).toBe(row.result);
    if (row.result === "PASS") expect(outcome.response.reasons).toEqual([]);
    if (row.statementIndexes) expect(outcome.response.reasons.map((r) => r.statementIndex)).toEqual(row.statementIndexes);
    if (row.principal) {
      expect(outcome.response.reasons[0]!.principal).toBe(row.principal);
      expect(outcome.response.reasons[0]!.description).toContain(` to ${row.principal}`);
    }
    for (const r of outcome.response.reasons) expect(r.principal).toBeTruthy();
  });

  it("a CanonicalUser principal it cannot model is FAIL, undecided, never PASS", () => {
    const outcome = checkNoNewAccess(doc(grant({ CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" })), doc(toAccount), "RESOURCE_POLICY", reference);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.response.result).toBe("FAIL");
    expect(outcome.response.reasons[0]).toMatchObject({ statementIndex: 0, undecided: true });
    expect(outcome.response.reasons[0]!.description).toContain("CanonicalUser");
  });

  it("a resource policy without Principal is malformed, and the message names the input", () => {
    const outcome = checkNoNewAccess(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }), doc(toAccount), "RESOURCE_POLICY", reference);
    expect(outcome).toMatchObject({ ok: false, code: "MalformedPolicyDocument" });
    expect(!outcome.ok && outcome.message).toMatch(/^newPolicyDocument: .*no principals/);
  });

  it("an identity policy with Principal is still refused as IDENTITY_POLICY", () => {
    expect(checkNoNewAccess(doc(toAccount), doc(toAccount), "IDENTITY_POLICY", reference)).toMatchObject({ ok: false, code: "MalformedPolicyDocument" });
  });
});

describe("CheckAccessNotGranted on resource policies", () => {
  const publicRead = doc(grant("*"));
  it("FAIL when anyone is granted a listed action, naming who", () => {
    const outcome = checkAccessNotGranted(publicRead, { actions: ["s3:GetObject"] }, "RESOURCE_POLICY", reference);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.response.result).toBe("FAIL");
    expect(outcome.response.reasons[0]).toMatchObject({ statementIndex: 0, action: "s3:GetObject" });
    expect(outcome.response.reasons[0]!.principal).toBeTruthy();
  });
  it("PASS when the listed action is granted to no one", () => {
    const outcome = checkAccessNotGranted(publicRead, { actions: ["s3:PutObject"] }, "RESOURCE_POLICY", reference);
    expect(outcome).toMatchObject({ ok: true, response: { result: "PASS", reasons: [] } });
  });
  it("PASS when the listed resource is not the one granted", () => {
    const outcome = checkAccessNotGranted(publicRead, { resources: ["arn:aws:s3:::other/*"] }, "RESOURCE_POLICY", reference);
    expect(outcome).toMatchObject({ ok: true, response: { result: "PASS" } });
  });
});

describe("principal classes", () => {
  it("each named principal, each named account's others, and the unnamed of each kind", () => {
    const parsed = parsePolicyDocument(doc(grant({ AWS: [READER, "444455556666"], Service: "s3.amazonaws.com" })), "resource");
    if (!parsed.ok) throw new Error(parsed.reason);
    const labels = principalWitnesses([parsed.document]).map((w) => w.label);
    expect(labels).toEqual([
      `a session of ${READER}`,
      "s3.amazonaws.com",
      `arn:aws:iam::${ACCOUNT}:root`,
      `any other principal of account ${ACCOUNT}`,
      "arn:aws:iam::444455556666:root",
      "any other principal of account 444455556666",
      "a principal of an account no policy names",
      "a service no policy names",
      "a web identity from a provider no policy names",
    ]);
  });
  it("a principal gets the statements naming it, without Principal, Resource defaulting to *", () => {
    const parsed = parsePolicyDocument(doc({ Effect: "Allow", Principal: { AWS: READER }, Action: "sts:AssumeRole" }, grant({ Service: "s3.amazonaws.com" })), "resource");
    if (!parsed.ok) throw new Error(parsed.reason);
    const session = { kind: "session" as const, accountId: ACCOUNT, roleArn: READER, sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/reader/x` };
    const got = identityPolicyFor(parsed.document, session);
    expect(got.indices).toEqual([0]);
    expect(got.document.statements).toEqual([{ effect: "Allow", action: ["sts:AssumeRole"], resource: ["*"], conditions: [] }]);
  });
});
