import fs from "node:fs";
import { fromPackageRoot } from "../package-root.js";
import type { AwsService } from "./supported-actions.js";

// The IAM and STS service models (src/aws/models/, from the aws-sdk v2 package: NOTICE.md there)
// as the Query protocol needs them: each operation's input and output shapes, which drive how
// request parameters are read (query-input.ts) and how results are written (xml-output.ts).

export interface Shape {
  readonly type?: "structure" | "list" | "map" | "string" | "integer" | "long" | "boolean" | "timestamp" | "blob" | "double" | "float";
  readonly shape?: string;
  readonly members?: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
  readonly member?: Shape;
  readonly key?: Shape;
  readonly value?: Shape;
  readonly flattened?: boolean;
  readonly locationName?: string;
  readonly resultWrapper?: string;
}

export interface Operation {
  readonly input?: Shape;
  readonly output?: Shape;
}

export interface ServiceModel {
  readonly service: AwsService;
  readonly apiVersion: string;
  readonly xmlNamespace: string;
  readonly operations: Readonly<Record<string, Operation>>;
  /** A member's shape with its `shape` reference followed (its own locationName/flattened kept). */
  resolve(shape: Shape): Shape;
}

function load(service: AwsService): ServiceModel {
  const raw = JSON.parse(fs.readFileSync(fromPackageRoot("src", "aws", "models", `${service}.json`), "utf8")) as {
    metadata: { apiVersion: string; xmlNamespace: string };
    operations: Record<string, Operation>;
    shapes: Record<string, Shape>;
  };
  return {
    service,
    apiVersion: raw.metadata.apiVersion,
    xmlNamespace: raw.metadata.xmlNamespace,
    operations: raw.operations,
    resolve(shape) {
      if (!shape.shape) return shape;
      const target = raw.shapes[shape.shape];
      if (!target) throw new Error(`${service} model: no shape ${shape.shape}`);
      const { shape: _ref, ...own } = shape;
      return this.resolve({ ...target, ...own });
    },
  };
}

export const serviceModels: Readonly<Record<AwsService, ServiceModel>> = { iam: load("iam"), sts: load("sts") };

/** Which service a request is for, by its Version parameter (the signature's scope says the same for signed requests). */
export function serviceByVersion(version: string | null): AwsService | undefined {
  return (Object.values(serviceModels).find((m) => m.apiVersion === version)?.service) ?? undefined;
}
