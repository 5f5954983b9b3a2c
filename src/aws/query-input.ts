import { AwsError } from "./aws-error.js";
import type { ServiceModel, Shape } from "./service-model.js";

/** A request's parameters read into the operation's input shape: AWS member names, typed values. */
export type AwsInput = Record<string, unknown>;

/**
 * The Query protocol's parameter encoding, read back by the model: structures as `A.B`, lists as
 * `A.member.N` (or `A.N` when flattened), maps as `A.entry.N.key` / `A.entry.N.value`, numbers
 * and booleans as text. A missing required member is AWS's ValidationError, with its wording.
 */
export function readInput(model: ServiceModel, shape: Shape | undefined, params: URLSearchParams): AwsInput {
  if (!shape) return {};
  const flat = new Map<string, string>();
  for (const [key, value] of params) if (!flat.has(key)) flat.set(key, value);
  const prefixes = new Set<string>();
  for (const key of flat.keys()) {
    for (let i = key.indexOf("."); i > 0; i = key.indexOf(".", i + 1)) prefixes.add(key.slice(0, i));
  }
  const present = (name: string) => flat.has(name) || prefixes.has(name);
  const errors: string[] = [];

  const read = (s: Shape, name: string, path: string): unknown => {
    const resolved = model.resolve(s);
    switch (resolved.type ?? "string") {
      case "structure": {
        const out: Record<string, unknown> = {};
        for (const [member, memberShape] of Object.entries(resolved.members ?? {})) {
          const key = name ? `${name}.${memberShape.locationName ?? member}` : (memberShape.locationName ?? member);
          if (present(key)) out[member] = read(memberShape, key, path ? `${path}.${lowerFirst(member)}` : lowerFirst(member));
          else if (resolved.required?.includes(member)) errors.push(`Value null at '${path ? `${path}.` : ""}${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`);
        }
        return out;
      }
      case "list": {
        if (flat.get(name) === "") return [];
        const base = resolved.flattened ? name : `${name}.${resolved.member?.locationName ?? "member"}`;
        const items: unknown[] = [];
        for (let n = 1; present(`${base}.${n}`); n++) items.push(read(resolved.member ?? {}, `${base}.${n}`, `${path}.${n}.member`));
        return items;
      }
      case "map": {
        const base = resolved.flattened ? name : `${name}.entry`;
        const out: Record<string, unknown> = {};
        for (let n = 1; present(`${base}.${n}`); n++) {
          const key = flat.get(`${base}.${n}.${resolved.key?.locationName ?? "key"}`);
          if (key !== undefined) out[key] = read(resolved.value ?? {}, `${base}.${n}.${resolved.value?.locationName ?? "value"}`, `${path}.${n}.value`);
        }
        return out;
      }
      case "integer":
      case "long":
      case "double":
      case "float": {
        const text = flat.get(name) ?? "";
        const value = Number(text);
        if (text.trim() === "" || !Number.isFinite(value) || ((resolved.type === "integer" || resolved.type === "long") && !Number.isInteger(value))) {
          errors.push(`Value '${text.slice(0, 64)}' at '${path}' failed to satisfy constraint: Member must be a number`);
          return undefined;
        }
        return value;
      }
      case "boolean": {
        const text = (flat.get(name) ?? "").toLowerCase();
        if (text !== "true" && text !== "false") errors.push(`Value '${text.slice(0, 64)}' at '${path}' failed to satisfy constraint: Member must be true or false`);
        return text === "true";
      }
      default:
        return flat.get(name) ?? "";
    }
  };
  const input = read(shape, "", "") as AwsInput;
  if (errors.length > 0) throw new AwsError("ValidationError", `${errors.length} validation error${errors.length > 1 ? "s" : ""} detected: ${errors.join("; ")}`);
  return input;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
