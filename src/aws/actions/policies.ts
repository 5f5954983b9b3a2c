import { encodeDocument, fromConnection, found, onIamError, pageArgs, pageOf, payload, refuseUnsupported, tagsIn, type ActionTable } from "../action.js";
import { AwsError } from "../aws-error.js";
import { groupFields, pageInfo, policyFields, roleFields, tagFields, userFields, versionFields, withoutEmpty } from "./fragments.js";

const noPolicy = (arn: unknown) => `Policy ${String(arn)} was not found.`;
const done = (d: any) => (payload(d.r), {});
const policyOut = (p: any) => {
  const { Tags, ...rest } = p;
  return withoutEmpty({ ...rest, ...(Tags?.length ? { Tags } : {}) }, "Description");
};
const versionOut = (v: any) => ({ ...v, Document: encodeDocument(v.Document) });

export const policyActions: ActionTable = {
  CreatePolicy: {
    document: `mutation ($policyName: String!, $policyDocument: String!, $path: String, $description: String, $tags: [TagInput!]) {
      r: createPolicy(policyName: $policyName, policyDocument: $policyDocument, path: $path, description: $description, tags: $tags) { ${onIamError} ... on PolicyPayload { policy { ${policyFields} ${tagFields} } } } }`,
    variables: (i) => ({ policyName: i.PolicyName, policyDocument: i.PolicyDocument, path: i.Path, description: i.Description, tags: tagsIn(i.Tags) }),
    output: (d) => ({ Policy: policyOut(payload(d.r).policy) }),
  },
  GetPolicy: {
    document: `query ($arn: String!) { policy(arn: $arn) { ${policyFields} ${tagFields} } }`,
    variables: (i) => ({ arn: i.PolicyArn }),
    output: (d, i) => ({ Policy: policyOut(found(d.policy, noPolicy(i.PolicyArn))) }),
  },
  ListPolicies: {
    document: `query ($scope: PolicyScope, $onlyAttached: Boolean, $pathPrefix: String, $first: Int, $after: String) {
      policies(scope: $scope, onlyAttached: $onlyAttached, pathPrefix: $pathPrefix, first: $first, after: $after) { edges { node { ${policyFields} } } ${pageInfo} } }`,
    variables: (i) => (refuseUnsupported(i, "ListPolicies", "PolicyUsageFilter"), { scope: i.Scope, onlyAttached: i.OnlyAttached, pathPrefix: i.PathPrefix, ...pageArgs(i) }),
    output: (d) => {
      const { items, ...page } = fromConnection(d.policies);
      return { Policies: items.map(policyOut), ...page };
    },
  },
  DeletePolicy: {
    document: `mutation ($policyArn: String!) { r: deletePolicy(policyArn: $policyArn) { ${onIamError} } }`,
    variables: (i) => ({ policyArn: i.PolicyArn }),
    output: done,
  },
  TagPolicy: {
    document: `mutation ($policyArn: String!, $tags: [TagInput!]!) { r: tagPolicy(policyArn: $policyArn, tags: $tags) { ${onIamError} } }`,
    variables: (i) => ({ policyArn: i.PolicyArn, tags: tagsIn(i.Tags) }),
    output: done,
  },
  UntagPolicy: {
    document: `mutation ($policyArn: String!, $tagKeys: [String!]!) { r: untagPolicy(policyArn: $policyArn, tagKeys: $tagKeys) { ${onIamError} } }`,
    variables: (i) => ({ policyArn: i.PolicyArn, tagKeys: i.TagKeys }),
    output: done,
  },
  ListPolicyTags: {
    document: `query ($arn: String!) { policy(arn: $arn) { ${tagFields} } }`,
    variables: (i) => ({ arn: i.PolicyArn }),
    output: (d, i) => {
      const { items, ...page } = pageOf(found(d.policy, noPolicy(i.PolicyArn)).Tags, i);
      return { Tags: items, ...page };
    },
  },
  CreatePolicyVersion: {
    document: `mutation ($policyArn: String!, $policyDocument: String!, $setAsDefault: Boolean) {
      r: createPolicyVersion(policyArn: $policyArn, policyDocument: $policyDocument, setAsDefault: $setAsDefault) { ${onIamError} ... on PolicyVersionPayload { policyVersion { VersionId: versionId IsDefaultVersion: isDefaultVersion CreateDate: createDate } } } }`,
    variables: (i) => ({ policyArn: i.PolicyArn, policyDocument: i.PolicyDocument, setAsDefault: i.SetAsDefault }),
    output: (d) => ({ PolicyVersion: payload(d.r).policyVersion }),
  },
  GetPolicyVersion: {
    document: `query ($policyArn: String!, $versionId: String!) { policyVersion(policyArn: $policyArn, versionId: $versionId) { ${versionFields} } }`,
    variables: (i) => ({ policyArn: i.PolicyArn, versionId: i.VersionId }),
    output: (d, i) => ({ PolicyVersion: versionOut(found(d.policyVersion, `Policy ${String(i.PolicyArn)} version ${String(i.VersionId)} does not exist or is not attachable.`)) }),
  },
  ListPolicyVersions: {
    document: `query ($arn: String!) { policy(arn: $arn) { versions { VersionId: versionId IsDefaultVersion: isDefaultVersion CreateDate: createDate } } }`,
    variables: (i) => ({ arn: i.PolicyArn }),
    output: (d, i) => {
      const { items, ...page } = pageOf(found(d.policy, noPolicy(i.PolicyArn)).versions, i);
      return { Versions: items, ...page };
    },
  },
  SetDefaultPolicyVersion: {
    document: `mutation ($policyArn: String!, $versionId: String!) { r: setDefaultPolicyVersion(policyArn: $policyArn, versionId: $versionId) { ${onIamError} } }`,
    variables: (i) => ({ policyArn: i.PolicyArn, versionId: i.VersionId }),
    output: done,
  },
  DeletePolicyVersion: {
    document: `mutation ($policyArn: String!, $versionId: String!) { r: deletePolicyVersion(policyArn: $policyArn, versionId: $versionId) { ${onIamError} } }`,
    variables: (i) => ({ policyArn: i.PolicyArn, versionId: i.VersionId }),
    output: done,
  },
  ListEntitiesForPolicy: {
    document: `query ($arn: String!) { entitiesForPolicy(arn: $arn) { ${onIamError} ... on EntitiesForPolicy { policyUsers { ${userFields} } policyGroups { ${groupFields} } policyRoles { ${roleFields} } } } }`,
    variables: (i) => {
      // The entities listed are those the policy is attached to as a permissions policy; which use
      // it as a boundary is not listed by this field, and the policy-kind filters do not apply here.
      if (i.PolicyUsageFilter === "PermissionsBoundary") refuseUnsupported(i, "ListEntitiesForPolicy", "PolicyUsageFilter");
      if (i.EntityFilter === "LocalManagedPolicy" || i.EntityFilter === "AWSManagedPolicy") {
        throw new AwsError("InvalidInput", `EntityFilter ${String(i.EntityFilter)} does not apply to ListEntitiesForPolicy; use User, Group or Role.`);
      }
      return { arn: i.PolicyArn };
    },
    output: (d, i) => {
      const e = payload(d.entitiesForPolicy);
      const filter = i.EntityFilter as string | undefined;
      const prefix = (i.PathPrefix as string | undefined) ?? "/";
      const keep = (kind: string, list: any[]) => (!filter || filter === kind ? list.filter((x) => x.Path.startsWith(prefix)) : []);
      // One list paged as AWS pages it (users, then groups, then roles), split back into the three.
      const all = [
        ...keep("User", e.policyUsers).map((u) => ({ kind: "User", item: { UserName: u.UserName, UserId: u.UserId } })),
        ...keep("Group", e.policyGroups).map((g) => ({ kind: "Group", item: { GroupName: g.GroupName, GroupId: g.GroupId } })),
        ...keep("Role", e.policyRoles).map((r) => ({ kind: "Role", item: { RoleName: r.RoleName, RoleId: r.RoleId } })),
      ];
      const { items, ...page } = pageOf(all, i);
      const of = (kind: string) => items.filter((x) => x.kind === kind).map((x) => x.item);
      return { PolicyUsers: of("User"), PolicyGroups: of("Group"), PolicyRoles: of("Role"), ...page };
    },
  },
};
