/**
 * The visual statement builder's model and its round trip with the JSON text: a statement is
 * read into effect, actions, resources and conditions; fields the builder does not show
 * (NotAction, Principal…) are kept as they were, so editing in the builder loses nothing.
 */
export interface ConditionRow {
  operator: string;
  key: string;
  values: string[];
}

export interface BuilderStatement {
  sid: string;
  effect: "Allow" | "Deny";
  actions: string[];
  resources: string[];
  conditions: ConditionRow[];
  /** The statement's other members, untouched. */
  rest: Record<string, unknown>;
}

export interface BuilderDocument {
  version: string;
  statements: BuilderStatement[];
  rest: Record<string, unknown>;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The builder's view of the text, or undefined while the text is not a policy-shaped JSON object. */
export function readDocument(text: string): BuilderDocument | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const { Version, Statement, ...rest } = parsed;
  const raw = Statement === undefined ? [] : Array.isArray(Statement) ? Statement : [Statement];
  if (!raw.every(isObject)) return undefined;
  const statements = raw.map((s): BuilderStatement => {
    const { Sid, Effect, Action, Resource, Condition, ...others } = s;
    const conditions: ConditionRow[] = [];
    if (isObject(Condition)) {
      for (const [operator, block] of Object.entries(Condition)) {
        if (!isObject(block)) continue;
        for (const [key, values] of Object.entries(block)) conditions.push({ operator, key, values: list(values) });
      }
    }
    return { sid: Sid === undefined ? "" : String(Sid), effect: Effect === "Deny" ? "Deny" : "Allow", actions: list(Action), resources: list(Resource), conditions, rest: others };
  });
  return { version: typeof Version === "string" ? Version : "2012-10-17", statements, rest };
}

/** The text for a builder document, pretty-printed; one value stays a string, as people write it. */
export function writeDocument(doc: BuilderDocument): string {
  const one = (xs: string[]) => (xs.length === 1 ? xs[0] : xs);
  const Statement = doc.statements.map((s) => {
    const out: Record<string, unknown> = {};
    if (s.sid) out.Sid = s.sid;
    out.Effect = s.effect;
    if (s.actions.length > 0 || !("NotAction" in s.rest)) out.Action = one(s.actions);
    if (s.resources.length > 0 || !("NotResource" in s.rest)) out.Resource = one(s.resources);
    Object.assign(out, s.rest);
    const conditions = s.conditions.filter((c) => c.operator && c.key);
    if (conditions.length > 0) {
      const block: Record<string, Record<string, unknown>> = {};
      for (const c of conditions) (block[c.operator] ??= {})[c.key] = one(c.values);
      out.Condition = block;
    }
    return out;
  });
  return JSON.stringify({ Version: doc.version, ...doc.rest, Statement }, null, 2);
}

export const emptyStatement = (): BuilderStatement => ({ sid: "", effect: "Allow", actions: [], resources: ["*"], conditions: [], rest: {} });

export const starterPolicy = writeDocument({
  version: "2012-10-17",
  rest: {},
  statements: [{ sid: "ReadUsers", effect: "Allow", actions: ["iam:GetUser", "iam:ListUsers"], resources: ["*"], conditions: [], rest: {} }],
});
