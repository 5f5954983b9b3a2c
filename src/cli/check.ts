// `iamgraph check …`: Access Analyzer's custom policy checks for a CI pipeline, offline — no
// server, no store; only the policy files and the service authorization reference.
//
//   check no-new-access NEW.json EXISTING.json [--policy-type …] [--json]
//   check access-not-granted POLICY.json --actions a,b [--resources r,…] [--policy-type …] [--json]
//
// Exit status: 0 PASS, 1 FAIL, 2 bad input (a typed message on stderr).

import fs from "node:fs";
import { parseArgs } from "node:util";
import { serviceReference } from "../catalogue/service-reference.js";
import { checkAccessNotGranted } from "../policy/checks/check-access-not-granted.js";
import { checkNoNewAccess } from "../policy/checks/check-no-new-access.js";
import type { AccessCheckPolicyType, CheckOutcome, CheckResponse } from "../policy/checks/types.js";

export const checkUsage = `iamgraph check <check> [--json]

  no-new-access NEW.json EXISTING.json
      CheckNoNewAccess: FAIL when NEW allows anything EXISTING does not
  access-not-granted POLICY.json --actions a,b [--resources arn,…]
      CheckAccessNotGranted: FAIL when POLICY allows a listed action (on a listed resource)

  --policy-type IDENTITY_POLICY (default) | RESOURCE_POLICY (resource-based policies, with
      Principal: a bucket policy, a role's trust policy; the reasons name the principal)

  Exit status 0 PASS, 1 FAIL, 2 bad input.
`;

const BAD_INPUT = 2;

/** Bad input: one line on stderr and exit status 2 (not operator-store's error: that module loads the store). */
class BadInput extends Error {}

export async function checkCommand(argv: readonly string[]): Promise<void> {
  try {
    await runCheck(argv);
  } catch (err) {
    if (!(err instanceof BadInput)) throw err;
    process.stderr.write(`iamgraph: ${err.message}\n`);
    process.exitCode = BAD_INPUT;
  }
}

async function runCheck(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { json: { type: "boolean" }, "policy-type": { type: "string" }, actions: { type: "string", multiple: true }, resources: { type: "string", multiple: true }, help: { type: "boolean" } },
    });
  } catch (err) {
    throw new BadInput(`check: ${(err as Error).message}\n\n${checkUsage}`);
  }
  const { values, positionals } = parsed;
  const [name, ...files] = positionals;
  if (values.help || name === undefined) {
    process.stdout.write(checkUsage);
    if (name === undefined && !values.help) process.exitCode = BAD_INPUT;
    return;
  }
  const policyType = values["policy-type"] ?? "IDENTITY_POLICY";
  if (policyType !== "IDENTITY_POLICY" && policyType !== "RESOURCE_POLICY") {
    throw new BadInput(`check: --policy-type is IDENTITY_POLICY or RESOURCE_POLICY, not ${JSON.stringify(policyType)}`);
  }
  let outcome: CheckOutcome;
  if (name === "no-new-access") {
    if (files.length !== 2) throw new BadInput(`check no-new-access: give NEW.json and EXISTING.json\n\n${checkUsage}`);
    const [fresh, existing] = files.map(readPolicy);
    outcome = checkNoNewAccess(fresh!, existing!, policyType satisfies AccessCheckPolicyType, await serviceReference());
  } else if (name === "access-not-granted") {
    if (files.length !== 1) throw new BadInput(`check access-not-granted: give one POLICY.json\n\n${checkUsage}`);
    const list = (v: string[] | undefined) => (v ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
    outcome = checkAccessNotGranted(readPolicy(files[0]!), { actions: list(values.actions), resources: list(values.resources) }, policyType, await serviceReference());
  } else {
    throw new BadInput(`check: unknown check ${JSON.stringify(name)}\n\n${checkUsage}`);
  }
  if (!outcome.ok) throw new BadInput(`check ${name}: ${outcome.code}: ${outcome.message}`);
  process.stdout.write(values.json ? `${JSON.stringify(outcome.response, null, 2)}\n` : text(outcome.response));
  process.exitCode = outcome.response.result === "PASS" ? 0 : 1;
}

function readPolicy(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new BadInput(`check: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function text(r: CheckResponse): string {
  const lines = [`${r.result}  ${r.message}`];
  for (const reason of r.reasons) lines.push(`  - ${reason.description}`);
  return `${lines.join("\n")}\n`;
}
