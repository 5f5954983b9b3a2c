import type { startIamgraph } from "../src/runtime.js";

/**
 * The known principal the HTTP benches decide for: `http-user` with three customer policies
 * (s3:Get*, s3:List* on one bucket each) — one setup for bench/http-overhead.bench.ts and the
 * profile of one request (bench/profile-authorize.ts), so both measure the same request.
 */
export async function seedHttpUser(app: Awaited<ReturnType<typeof startIamgraph>>, account: string): Promise<void> {
  const req = { actor: "bench" };
  await app.commands.handle({ type: "CreateUser", userName: "http-user", path: "/", tags: [] }, req);
  for (let p = 0; p < 3; p++) {
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [`s3:Get*`, `s3:List*`], Resource: `arn:aws:s3:::bucket-${p}/*` }] });
    await app.commands.handle({ type: "CreatePolicy", policyName: `http-${p}`, path: "/", policyDocument: doc, description: "", tags: [] }, req);
    await app.commands.handle({ type: "AttachPolicy", entityType: "user", entityName: "http-user", policyArn: `arn:aws:iam::${account}:policy/http-${p}` }, req);
  }
}
