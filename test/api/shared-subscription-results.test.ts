import { GraphQLInt, GraphQLObjectType, GraphQLSchema, parse, type ExecutionResult } from "graphql";
import { createYoga } from "graphql-yoga";
import { expect, test } from "vitest";
import { sharedSubscriptionResults } from "../../src/api/shared-subscription-results.js";

// One execution per (message, document, variables, caller), however many identical
// subscriptions receive the message — and separate ones where the caller differs.

test("identical subscriptions share one execution per message; another caller gets its own", async () => {
  const messages = [{ n: 1 }, { n: 2 }];
  let resolved = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: {
        tick: {
          type: new GraphQLObjectType({ name: "Tick", fields: { n: { type: GraphQLInt, resolve: (m: { n: number }) => (resolved++, m.n) } } }),
          // Every subscriber's stream yields the very same message objects, as the live hub does.
          subscribe: async function* () {
            yield* messages;
          },
          resolve: (m: unknown) => m,
        },
      },
    }),
  });
  const yoga = createYoga({ schema, plugins: [sharedSubscriptionResults()], logging: false });
  const document = parse(`subscription { tick { n } }`);
  const collect = async (caller: string) => {
    const { subscribe, contextFactory } = yoga.getEnveloped({ request: new Request("http://x/graphql") });
    const contextValue = { ...(await contextFactory()), caller: { arn: caller } };
    const stream = (await subscribe({ schema, document, contextValue })) as AsyncIterable<ExecutionResult>;
    const out: unknown[] = [];
    for await (const r of stream) out.push(r.data);
    return out;
  };
  const [a, b, c] = await Promise.all([collect("arn:alice"), collect("arn:alice"), collect("arn:alice")]);
  const expected = [{ tick: { n: 1 } }, { tick: { n: 2 } }];
  expect([a, b, c]).toEqual([expected, expected, expected]);
  expect(resolved).toBe(2);
  expect(await collect("arn:bob")).toEqual(expected);
  expect(resolved).toBe(4);
});
