// The small world the previewChange and dryRun suites both build: three users, a role, a group
// holding a shared managed policy, an S3-only policy to use as a boundary.

export const account = "123456789012";
export const arn = (kind: string, name: string) => `arn:aws:iam::${account}:${kind}/${name}`;
export const doc = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
export const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
export const principals = [arn("user", "u1"), arn("user", "u2"), arn("user", "u3"), arn("role", "r1")];
export const actions = ["s3:GetObject", "s3:ListBucket", "iam:ListUsers", "ec2:RunInstances"];
export const shared = arn("policy", "Shared");
export const bound = arn("policy", "S3Only");
