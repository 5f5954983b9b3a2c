import type { WebIdentitySession } from "../../sts/web-identity.js";
import { originContext } from "../authorization/authorize-checks.js";
import { builder } from "../builder.js";
import { iamErrors } from "./iam-error.js";
import { AssumedRoleUser, Credentials } from "./role-session.js";

// STS AssumeRoleWithWebIdentity over GraphQL. Callable without iamgraph credentials: send
// `Authorization: Anonymous` (src/auth/caller.ts, AnonymousCaller) — a CI job holds only its token.

const WebIdentityResponse = builder.objectRef<WebIdentitySession>("AssumeRoleWithWebIdentityResponse").implement({
  fields: (t) => ({
    credentials: t.field({ type: Credentials, resolve: (s) => s }),
    assumedRoleUser: t.field({ type: AssumedRoleUser, resolve: (s) => s }),
    subjectFromWebIdentityToken: t.exposeString("subjectFromWebIdentityToken"),
    audience: t.exposeString("audience"),
    provider: t.exposeString("provider", { description: "The token's issuer (its iss claim), as AWS answers it." }),
    packedPolicySize: t.exposeInt("packedPolicySize"),
    sourceIdentity: t.string({ nullable: true, description: "From the token's https://aws.amazon.com/source_identity claim." , resolve: (s) => s.sourceIdentity ?? null }),
  }),
});

builder.mutationFields((t) => ({
  assumeRoleWithWebIdentity: t.field({
    type: WebIdentityResponse,
    errors: iamErrors,
    description:
      "STS AssumeRoleWithWebIdentity: temporary credentials for a role whose trust policy names the token's OpenID Connect provider as Federated principal. The JWT is verified against the issuer's JWKS; iss, aud (the provider's client ids), exp and nbf are checked. Needs no credentials (`Authorization: Anonymous`).",
    args: {
      roleArn: t.arg.string({ required: true }),
      roleSessionName: t.arg.string({ required: true }),
      webIdentityToken: t.arg.string({ required: true }),
      durationSeconds: t.arg.int(),
      policy: t.arg.string(),
      policyArns: t.arg.stringList(),
    },
    resolve: (_root, args, ctx) => {
      if (!ctx.sts) throw new Error("STS is not configured in this server");
      return ctx.sts.assumeRoleWithWebIdentity(originContext(ctx.origin), args);
    },
  }),
}));
