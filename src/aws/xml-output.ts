import type { AwsError } from "./aws-error.js";
import type { ServiceModel, Shape } from "./service-model.js";

/**
 * Writes an action's result as the Query protocol's XML, walking the model's output shape:
 * `<XResponse xmlns=…><XResult>…</XResult><ResponseMetadata><RequestId>…`. Lists are
 * `<member>` elements, maps `<entry><key/><value/></entry>`, timestamps ISO 8601 in UTC to the
 * second as AWS writes them; members the value lacks are left out.
 */
export function responseXml(model: ServiceModel, action: string, output: Record<string, unknown>, requestId: string): string {
  const shape = model.operations[action]?.output;
  const result = shape ? `<${shape.resultWrapper ?? `${action}Result`}>${members(model, model.resolve(shape), output)}</${shape.resultWrapper ?? `${action}Result`}>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${model.xmlNamespace}">${result}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>\n`;
}

/** AWS's error document for the Query protocol. */
export function errorXml(model: ServiceModel | undefined, error: AwsError, requestId: string): string {
  const ns = model ? ` xmlns="${model.xmlNamespace}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${ns}><Error><Type>${error.faultType}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>\n`;
}

function members(model: ServiceModel, shape: Shape, value: Record<string, unknown>): string {
  let xml = "";
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    const tag = member.locationName ?? name;
    xml += element(model, member, tag, v);
  }
  return xml;
}

function element(model: ServiceModel, s: Shape, tag: string, value: unknown): string {
  const shape = model.resolve(s);
  switch (shape.type ?? "string") {
    case "structure":
      return `<${tag}>${members(model, shape, value as Record<string, unknown>)}</${tag}>`;
    case "list": {
      const items = (value as unknown[]).map((item) => element(model, shape.member ?? {}, shape.flattened ? tag : (shape.member?.locationName ?? "member"), item)).join("");
      return shape.flattened ? items : `<${tag}>${items}</${tag}>`;
    }
    case "map": {
      const entries = Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${element(model, shape.value ?? {}, "value", v)}</entry>`)
        .join("");
      return `<${tag}>${entries}</${tag}>`;
    }
    case "timestamp":
      return `<${tag}>${isoSeconds(value)}</${tag}>`;
    default:
      return `<${tag}>${escapeXml(String(value))}</${tag}>`;
  }
}

/** AWS's timestamp form: 2026-12-02T01:23:45Z. */
function isoSeconds(value: unknown): string {
  const date = value instanceof Date ? value : new Date(String(value));
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}
