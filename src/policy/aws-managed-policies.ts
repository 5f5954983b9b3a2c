// The builtin AWS-managed catalogue: five policies seeded read-only at start when
// IAMGRAPH_AWS_CATALOGUE=builtin (tests), with the default version and document AWS publishes in
// the AWS Managed Policy Reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/
// <name>.html). The full catalogue (every AWS-managed policy, all versions) is imported into the
// log by src/catalogue/. ARNs: arn:aws:iam::aws:policy<path><name>.

/** AWS-managed policies live in the account `aws`: arn:aws:iam::aws:policy<path><name>. */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return arn.startsWith("arn:aws:iam::aws:policy/");
}

export interface AwsManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly description: string;
  /** The default version AWS publishes. */
  readonly versionId: string;
  /** The policy document text. */
  readonly document: string;
}

const policy = (p: Omit<AwsManagedPolicy, "arn" | "document"> & { document: unknown }): AwsManagedPolicy => ({
  ...p,
  arn: `arn:aws:iam::aws:policy${p.path}${p.name}`,
  document: JSON.stringify(p.document, null, 2),
});

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  policy({
    name: "AdministratorAccess",
    path: "/",
    description: "Provides full access to AWS services and resources.",
    versionId: "v1",
    document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  }),
  policy({
    name: "PowerUserAccess",
    path: "/",
    description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
    versionId: "v12",
    document: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
        {
          Effect: "Allow",
          Action: [
            "account:GetAccountInformation",
            "account:GetGovCloudAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeEffectivePolicy",
            "organizations:DescribeOrganization",
          ],
          Resource: "*",
        },
      ],
    },
  }),
  policy({
    name: "IAMFullAccess",
    path: "/",
    description: "Provides full access to IAM via the AWS Management Console.",
    versionId: "v2",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "iam:*",
            "organizations:DescribeAccount",
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:DescribePolicy",
            "organizations:ListChildren",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListRoots",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
          ],
          Resource: "*",
        },
      ],
    },
  }),
  policy({
    name: "IAMReadOnlyAccess",
    path: "/",
    description: "Provides read only access to IAM via the AWS Management Console.",
    versionId: "v4",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: [
            "iam:GenerateCredentialReport",
            "iam:GenerateServiceLastAccessedDetails",
            "iam:Get*",
            "iam:List*",
            "iam:SimulateCustomPolicy",
            "iam:SimulatePrincipalPolicy",
          ],
          Resource: "*",
        },
      ],
    },
  }),
  policy({
    name: "IAMUserChangePassword",
    path: "/",
    description: "Provides the ability for an IAM user to change their own password.",
    versionId: "v3",
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["iam:ChangePassword"],
          Resource: ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"],
        },
        { Effect: "Allow", Action: ["iam:GetAccountPasswordPolicy"], Resource: "*" },
      ],
    },
  }),
];

export function findAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.find((p) => p.arn === arn);
}
