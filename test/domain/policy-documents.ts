import { expect } from "vitest";
import { policySizeWithoutWhitespace } from "../../src/policy/size.js";

/** A valid identity policy allowing one action on one resource. */
export function allowDocument(action = "s3:GetObject", resource = "*"): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });
}

/**
 * A valid identity policy of exactly `size` characters when whitespace is not counted (the
 * way IAM counts against its quotas), padded with `indent` spaces of whitespace per line.
 */
export function documentOfSize(size: number, indent = 0, label = "a"): string {
  const build = (pad: number) =>
    JSON.stringify(
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${label}/${"x".repeat(pad)}` }] },
      null,
      indent,
    );
  const pad = size - policySizeWithoutWhitespace(build(0));
  if (pad < 0) throw new Error(`no document of ${size} characters: the smallest has ${policySizeWithoutWhitespace(build(0))}`);
  const text = build(pad);
  expect(policySizeWithoutWhitespace(text)).toBe(size);
  return text;
}

/** A valid trust policy letting a service assume the role. */
export function trustDocument(service = "ec2.amazonaws.com"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}
