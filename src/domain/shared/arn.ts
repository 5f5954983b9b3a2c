export type EntityKind = "user" | "group" | "role" | "policy";

/** `arn:aws:iam::<account>:<kind><path><name>` — the path is part of the ARN. */
export function entityArn(accountId: string, kind: EntityKind, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${kind}${path}${name}`;
}
