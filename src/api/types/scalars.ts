import { GraphQLError, Kind } from "graphql";
import { builder } from "../builder.js";

builder.scalarType("DateTime", {
  description: "An ISO-8601 instant.",
  serialize: (value) => new Date(value).toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`Invalid DateTime: ${String(value)}`);
    return date;
  },
});

builder.scalarType("Position", {
  description:
    "A position in the event log. Every mutation returns the position of its last event; positions only grow.",
  serialize: (value) => Number(value),
  parseValue: (value) => parsePosition(value),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return parsePosition(ast.value);
    throw new GraphQLError("A Position is a non-negative integer");
  },
});

builder.scalarType("JSON", {
  description: "Arbitrary JSON.",
  serialize: (value) => value,
  parseValue: (value) => value,
});

function parsePosition(value: unknown): number {
  const n = typeof value === "number" ? value : Number(String(value));
  if (!Number.isSafeInteger(n) || n < 0) throw new GraphQLError(`Invalid Position: ${String(value)}`);
  return n;
}
