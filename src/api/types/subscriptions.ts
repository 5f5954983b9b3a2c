import { GraphQLError } from "graphql";
import type { LiveHub } from "../../messaging/live-hub.js";
import { SubscriptionOverflow, type LiveStream, type Positioned } from "../../messaging/live-stream.js";
import type { Cause, DecisionChange, PermissionsChange, PolicyPath } from "../../messaging/messages.js";
import type { ContextKeyType } from "../../policy/request.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { LogEventRef } from "./history.js";
import { decisionPrincipal } from "../authorization/authorize-checks.js";

// Live subscriptions, over graphql-ws (WebSocket) and GraphQL over SSE alike. Every message
// carries the position to resume after; `after:` replays what was missed, then goes live with no
// gap and no duplicate (src/messaging/live-stream.ts).

const EventCauseRef = builder.objectRef<Cause>("EventCause").implement({
  description: "The event that caused a change.",
  fields: (t) => ({
    position: t.expose("position", { type: "Position" }),
    type: t.exposeString("type"),
    streamId: t.exposeString("streamId"),
    actor: t.exposeString("actor"),
    requestId: t.exposeString("requestId"),
    occurredAt: t.expose("occurredAt", { type: "DateTime" }),
  }),
});

const PolicyPathKind = builder.enumType("PolicyPathKind", { values: ["managed", "inline", "boundary"] as const });

const PolicyPathRef = builder.objectRef<PolicyPath>("PolicyPath").implement({
  description: "One way a policy is in a principal's effective set: held directly or through a group.",
  fields: (t) => ({
    kind: t.field({ type: PolicyPathKind, resolve: (p) => p.kind }),
    policyArn: t.exposeString("policyArn", { nullable: true, description: "Null for inline policies." }),
    policyName: t.exposeString("policyName"),
    ownerType: t.exposeString("ownerType", { description: "`user`, `group` or `role`: who holds the policy." }),
    ownerId: t.exposeString("ownerId"),
    viaGroupId: t.exposeString("viaGroupId", { nullable: true }),
    viaGroupName: t.exposeString("viaGroupName", { nullable: true }),
    versionId: t.exposeString("versionId", { nullable: true, description: "The managed policy's default version, when known." }),
  }),
});

const PermissionsChangeRef = builder.objectRef<PermissionsChange>("PermissionsChange").implement({
  description: "A principal's effective policy set changed.",
  fields: (t) => ({
    position: t.expose("position", { type: "Position", description: "Resume after this position." }),
    principalArn: t.exposeString("principalArn"),
    cause: t.field({ type: EventCauseRef, resolve: (m) => m.cause }),
    entered: t.field({ type: [PolicyPathRef], resolve: (m) => m.entered }),
    left: t.field({ type: [PolicyPathRef], resolve: (m) => m.left }),
    updated: t.field({ type: [PolicyPathRef], description: "Same path, new text: a default version moved, an inline policy was replaced.", resolve: (m) => m.updated }),
    principalExists: t.exposeBoolean("principalExists"),
  }),
});

const AccessDecision = builder.enumType("AccessDecision", { values: ["allowed", "explicitDeny", "implicitDeny"] as const });

const DecisionChangeRef = builder.objectRef<DecisionChange>("DecisionChange").implement({
  description: "A decision flipped between allowed and denied.",
  fields: (t) => ({
    position: t.expose("position", { type: "Position", description: "Resume after this position." }),
    principalArn: t.exposeString("principalArn"),
    action: t.exposeString("action"),
    resource: t.exposeString("resource"),
    before: t.field({ type: AccessDecision, nullable: true, description: "Null on a resume without `lastDecision`.", resolve: (m) => m.before }),
    after: t.field({ type: AccessDecision, resolve: (m) => m.after }),
    allowed: t.boolean({ resolve: (m) => m.after === "allowed" }),
    reason: t.exposeString("reason"),
    cause: t.field({ type: EventCauseRef, nullable: true, resolve: (m) => m.cause }),
  }),
});

// The `events` query's filter less its bounds: a live tail has no end, and `after` is its start.
const LiveEventFilter = builder.inputType("LiveEventFilter", {
  description: "Narrows a live tail; every field given must hold.",
  fields: (t) => ({
    streamId: t.string(),
    types: t.stringList(),
    entityArn: t.string({ description: "Events of this user, group, role or policy, or naming it (a membership, an attachment)." }),
    entityId: t.string(),
    actor: t.string(),
  }),
});

const DecisionContextEntryInput = builder.inputType("DecisionContextEntryInput", {
  description: "A request-context key and its values (AWS's ContextEntry).",
  fields: (t) => ({
    contextKeyName: t.string({ required: true }),
    contextKeyValues: t.stringList({ required: true }),
    contextKeyType: t.string({ required: true, description: "string, stringList, numeric, boolean, ip, date, … (AWS's ContextKeyType)." }),
  }),
});

builder.subscriptionFields((t) => ({
  events: t.field({
    type: LogEventRef,
    description: "A live tail of the log, optionally filtered.",
    args: { filter: t.arg({ type: LiveEventFilter }), after: t.arg({ type: "Position" }) },
    subscribe: (_root, args, ctx) => live(ctx, (onOverflow) => hub(ctx).events(args.filter ?? {}, { after: args.after, onOverflow })),
    resolve: unwrap,
  }),
  entityChanged: t.field({
    type: LogEventRef,
    description: "Every change to one user, group, role or policy (including memberships and attachments naming it).",
    args: { arn: t.arg.string({ required: true }), after: t.arg({ type: "Position" }) },
    subscribe: (_root, args, ctx) => live(ctx, (onOverflow) => hub(ctx).events({ entityArn: args.arn }, { after: args.after, onOverflow })),
    resolve: unwrap,
  }),
  permissionsChanged: t.field({
    type: PermissionsChangeRef,
    description: "Fires when the principal's effective policy set changes, whatever the reason; never for changes that do not touch it.",
    args: { principalArn: t.arg.string({ required: true }), after: t.arg({ type: "Position" }) },
    subscribe: (_root, args, ctx) => live(ctx, (onOverflow) => hub(ctx).permissionsChanged(args.principalArn, { after: args.after, onOverflow })),
    resolve: unwrap,
  }),
  decisionChanged: t.field({
    type: DecisionChangeRef,
    description:
      "Fires only when this decision flips between allowed and denied. For a role session's ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`, the newest session of that ARN valid now): when its role's policies change — revocation (revokeRoleSessions) included — and when the session expires (then with no cause: nothing in the log made it).",
    args: {
      principalArn: t.arg.string({ required: true }),
      action: t.arg.string({ required: true }),
      resource: t.arg.string({ required: true }),
      context: t.arg({ type: [DecisionContextEntryInput] }),
      after: t.arg({ type: "Position" }),
      lastDecision: t.arg({ type: AccessDecision, description: "On a resume: the decision held at `after`; only a flip from it is reported." }),
    },
    subscribe: async (_root, args, ctx) => {
      const context = (args.context ?? []).map((e) => ({ key: e.contextKeyName, type: e.contextKeyType as ContextKeyType, values: e.contextKeyValues }));
      const request = { ...(await decisionPrincipal(ctx, args.principalArn)), action: args.action, resource: args.resource, context };
      return live(ctx, (onOverflow) => hub(ctx).decisionChanged(request, { after: args.after, lastDecision: args.lastDecision, onOverflow }));
    },
    resolve: unwrap,
  }),
}));

function hub(ctx: Context): LiveHub {
  if (!ctx.live) throw new GraphQLError("Subscriptions are not available on this server.", { extensions: { code: "ServiceFailure" } });
  return ctx.live;
}

/** The overflow, delivered as the subscription's last message. */
class Overflowed {
  constructor(readonly overflow: SubscriptionOverflow) {}
}

/**
 * Adapts a hub stream for GraphQL: an overflow becomes a last message carrying the error (code
 * SubscriptionOverflow, and the position to resume after), and the WebSocket is closed with the
 * same reason; ending the subscription ends the stream at once.
 */
async function live<T extends Positioned>(
  ctx: Context,
  open: (onOverflow: (o: SubscriptionOverflow) => void) => Promise<LiveStream<T>>,
): Promise<AsyncIterableIterator<T | Overflowed>> {
  const stream = await open((o) => ctx.closeTransport?.(4429, `Subscription buffer overflow; resubscribe with after: ${o.position}`));
  let ended = false;
  const iterator: AsyncIterableIterator<T | Overflowed> = {
    async next() {
      if (ended) return { value: undefined, done: true };
      try {
        return await stream.next();
      } catch (err) {
        if (!(err instanceof SubscriptionOverflow)) throw err;
        ended = true;
        return { value: new Overflowed(err), done: false };
      }
    },
    return: () => stream.return(),
    throw: (err) => stream.throw(err),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

function unwrap<T>(message: T | Overflowed): T {
  if (message instanceof Overflowed) {
    throw new GraphQLError(message.overflow.message, { extensions: { code: "SubscriptionOverflow", position: message.overflow.position } });
  }
  return message;
}
