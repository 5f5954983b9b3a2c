import { GraphQLObjectType, printSchema } from "graphql";
import { describe, expect, test } from "vitest";
import { guardSchema } from "../../src/api/authorization/guard.js";
import { mutationCommands } from "../../src/api/mutation-commands.js";
import { nestedFieldRules } from "../../src/api/authorization/nested-field-rules.js";
import { rootFieldRules } from "../../src/api/authorization/root-field-rules.js";
import { schema } from "../../src/api/schema.js";

// Every operation is denied unless the caller's own policies allow it: a root field without a
// rule would fall back to iamgraph:<Field>, so a new field must come with the AWS action it
// stands for (or a documented iamgraph: one) before it ships.

const rootTypes = ["Query", "Mutation", "Subscription"] as const;
const fieldsOf = (typeName: string) => {
  const type = schema.getType(typeName);
  if (!(type instanceof GraphQLObjectType)) throw new Error(`${typeName} is not an object type`);
  return Object.keys(type.getFields());
};

describe.each(rootTypes)("every %s field has an authorization rule", (typeName) => {
  test.each(fieldsOf(typeName))(`${typeName}.%s`, (field) => {
    expect(rootFieldRules[typeName][field], `add a rule for ${typeName}.${field} in src/api/authorization/root-field-rules.ts`).toBeDefined();
  });
});

test("no rule names a root field the schema no longer has", () => {
  for (const typeName of rootTypes) {
    const fields = new Set(fieldsOf(typeName));
    expect(Object.keys(rootFieldRules[typeName]).filter((f) => !fields.has(f)), typeName).toEqual([]);
  }
});

test("every mutation except restorePrincipal, importAccountSnapshot, the operator's rebuildProjections and STS's assumeRole and assumeRoleWithWebIdentity is authorized as the domain command it sends", () => {
  // restorePrincipal and importAccountSnapshot are authorized as iamgraph's own actions, then each command they send as its own.
  expect(fieldsOf("Mutation").filter((f) => !(f in mutationCommands))).toEqual(["assumeRole", "assumeRoleWithWebIdentity", "importAccountSnapshot", "rebuildProjections", "restorePrincipal"]);
});

test("only GetCallerIdentity is open to every authenticated caller", () => {
  const open = rootTypes.flatMap((typeName) => Object.entries(rootFieldRules[typeName]).filter(([, r]) => "open" in r).map(([f]) => `${typeName}.${f}`));
  expect(open).toEqual(["Query.callerIdentity"]);
});

test("nested rules name fields the schema has, and the guarded schema is the same schema", () => {
  for (const [typeName, rules] of Object.entries(nestedFieldRules)) {
    const fields = new Set(fieldsOf(typeName));
    expect(Object.keys(rules).filter((f) => !fields.has(f)), typeName).toEqual([]);
  }
  const guarded = guardSchema(schema);
  expect(guarded).not.toBe(schema);
  expect(printSchema(guarded)).toBe(printSchema(schema));
  // The unguarded schema (benchmarks only) keeps its own resolvers.
  const queryOf = (s: typeof schema) => (s.getType("Query") as GraphQLObjectType).getFields();
  expect(queryOf(guarded).user!.resolve).not.toBe(queryOf(schema).user!.resolve);
});
