import { builder } from "../builder.js";
import { iamErrors } from "./iam-error.js";

// GetContextKeysForPrincipalPolicy / GetContextKeysForCustomPolicy: which context keys a
// simulation needs values for (src/policy/context-keys.ts decides; the authorizer finds the
// principal's policies).

const ContextKeysResponse = builder.objectRef<{ contextKeyNames: string[] }>("ContextKeysResponse").implement({
  description: "The context keys the policies read, each once, in the order the documents use them.",
  fields: (t) => ({ contextKeyNames: t.exposeStringList("contextKeyNames") }),
});

builder.queryFields((t) => ({
  contextKeysForPrincipalPolicy: t.field({
    type: ContextKeysResponse,
    errors: iamErrors,
    description: "GetContextKeysForPrincipalPolicy: the keys a user's or role's identity policies (and any given documents) read.",
    args: { policySourceArn: t.arg.string({ required: true }), policyInputList: t.arg.stringList() },
    resolve: async (_root, args, ctx) => ({ contextKeyNames: await ctx.authorizer.contextKeysForPrincipalPolicy(args.policySourceArn, args.policyInputList ?? []) }),
  }),
  contextKeysForCustomPolicy: t.field({
    type: ContextKeysResponse,
    errors: iamErrors,
    description: "GetContextKeysForCustomPolicy: the keys the given documents read.",
    args: { policyInputList: t.arg.stringList({ required: true }) },
    resolve: (_root, args, ctx) => ({ contextKeyNames: ctx.authorizer.contextKeysForCustomPolicy(args.policyInputList) }),
  }),
}));
