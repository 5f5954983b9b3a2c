import { onIamError, payload, tagsIn, type ActionTable } from "../action.js";
import type { AwsInput } from "../query-input.js";

// The STS actions of the Query API (STS API Reference, 2011-06-15): each the GraphQL field of the
// same name (src/api/types/role-session.ts, web-identity.ts), so AssumeRole over the SDK and
// over GraphQL is one code path (src/sts/), with one set of errors.

const credentialFields = "Credentials: credentials { AccessKeyId: accessKeyId SecretAccessKey: secretAccessKey SessionToken: sessionToken Expiration: expiration }";
const assumedRoleUserFields = "AssumedRoleUser: assumedRoleUser { Arn: arn AssumedRoleId: assumedRoleId }";

/** PolicyArns is a list of PolicyDescriptorType (`PolicyArns.member.N.arn`); GraphQL takes the ARNs. */
const policyArnsIn = (value: unknown) => (value as { arn?: string }[] | undefined)?.map((p) => p.arn ?? "");

/** The session policy parameters both actions share. */
const sessionPolicyVariables = (i: AwsInput) => ({
  roleArn: i.RoleArn,
  roleSessionName: i.RoleSessionName,
  durationSeconds: i.DurationSeconds,
  policy: i.Policy,
  policyArns: policyArnsIn(i.PolicyArns),
});

/** AWS leaves SourceIdentity out when the session has none. */
const withoutNull = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));

export const stsActions: ActionTable = {
  GetCallerIdentity: {
    document: `query { callerIdentity { UserId: userId Account: account Arn: arn } }`,
    output: (d) => d.callerIdentity,
  },
  AssumeRole: {
    document: `mutation ($roleArn: String!, $roleSessionName: String!, $durationSeconds: Int, $policy: String, $policyArns: [String!], $tags: [TagInput!], $transitiveTagKeys: [String!], $externalId: String, $sourceIdentity: String) {
      r: assumeRole(roleArn: $roleArn, roleSessionName: $roleSessionName, durationSeconds: $durationSeconds, policy: $policy, policyArns: $policyArns, tags: $tags, transitiveTagKeys: $transitiveTagKeys, externalId: $externalId, sourceIdentity: $sourceIdentity) {
        ${onIamError} ... on AssumeRoleResponse { ${credentialFields} ${assumedRoleUserFields} PackedPolicySize: packedPolicySize SourceIdentity: sourceIdentity } } }`,
    variables: (i) => ({
      ...sessionPolicyVariables(i),
      tags: tagsIn(i.Tags),
      transitiveTagKeys: i.TransitiveTagKeys,
      externalId: i.ExternalId,
      sourceIdentity: i.SourceIdentity,
    }),
    output: (d) => {
      const { __typename, ...result } = payload(d.r);
      return withoutNull(result);
    },
  },
  // Unsigned, as AWS takes it (the token is the credential): src/aws/query-api.ts lets it through anonymous.
  AssumeRoleWithWebIdentity: {
    document: `mutation ($roleArn: String!, $roleSessionName: String!, $webIdentityToken: String!, $durationSeconds: Int, $policy: String, $policyArns: [String!]) {
      r: assumeRoleWithWebIdentity(roleArn: $roleArn, roleSessionName: $roleSessionName, webIdentityToken: $webIdentityToken, durationSeconds: $durationSeconds, policy: $policy, policyArns: $policyArns) {
        ${onIamError} ... on AssumeRoleWithWebIdentityResponse { ${credentialFields} ${assumedRoleUserFields} SubjectFromWebIdentityToken: subjectFromWebIdentityToken
          Audience: audience Provider: provider PackedPolicySize: packedPolicySize SourceIdentity: sourceIdentity } } }`,
    variables: (i) => ({ ...sessionPolicyVariables(i), webIdentityToken: i.WebIdentityToken }),
    output: (d) => {
      const { __typename, ...result } = payload(d.r);
      return withoutNull(result);
    },
  },
};

/** Actions AWS accepts without a signature: the web identity token is the only credential. */
export const unsignedStsActions: ReadonlySet<string> = new Set(["AssumeRoleWithWebIdentity"]);
