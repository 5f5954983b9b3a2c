import { DomainError } from "../../domain/shared/domain-error.js";
import type { StoredEvent } from "../../eventstore/stored-event.js";
import { queryEvents, type EventFilter } from "../../history/events-query.js";
import { builder } from "../builder.js";
import type { Context } from "../context.js";
import { GroupRef } from "./group.js";
import { PolicyRef } from "./policy.js";
import { RoleRef } from "./role.js";
import { UserRef } from "./user.js";

// The event log as an audit history: the whole log as a Relay connection (cursor = position),
// and each entity's own history. Reads only; the log is never changed from here.

export const EventMetadataRef = builder.objectRef<StoredEvent["metadata"]>("EventMetadata").implement({
  description: "Who did it and in which request, stored with every event.",
  fields: (t) => ({
    actor: t.exposeString("actor", { description: "ARN of the authenticated principal that made the change." }),
    accessKeyId: t.exposeString("accessKeyId", { nullable: true, description: "The access key the request was authenticated with." }),
    accountId: t.exposeString("accountId"),
    requestId: t.exposeString("requestId"),
    correlationId: t.exposeString("correlationId"),
    causationId: t.exposeString("causationId", { nullable: true }),
  }),
});

export const LogEventRef = builder.objectRef<StoredEvent>("LogEvent").implement({
  description: "One event of the log, read as the current shape of its type (older schema versions are upcast).",
  fields: (t) => ({
    position: t.expose("position", { type: "Position" }),
    streamId: t.exposeString("streamId", { description: "`user-<id>`, `group-<id>`, `role-<id>` or `policy-<id>`." }),
    streamVersion: t.exposeInt("streamVersion"),
    type: t.exposeString("type", { description: "The event type, a fact in the past tense (`UserAddedToGroup`)." }),
    schemaVersion: t.exposeInt("schemaVersion", { description: "The version the event was stored at." }),
    payload: t.field({ type: "JSON", resolve: (e) => e.data }),
    metadata: t.field({ type: EventMetadataRef, resolve: (e) => e.metadata }),
    occurredAt: t.expose("occurredAt", { type: "DateTime" }),
  }),
});

const EventFilterInput = builder.inputType("EventFilter", {
  description: "Narrows the log; every field given must hold (AND). Bounds are inclusive.",
  fields: (t) => ({
    streamId: t.string(),
    entityArn: t.string({ description: "Every stream that ever carried this user, group, role or policy ARN." }),
    types: t.stringList(),
    actor: t.string(),
    fromPosition: t.field({ type: "Position" }),
    toPosition: t.field({ type: "Position" }),
    fromTime: t.field({ type: "DateTime" }),
    toTime: t.field({ type: "DateTime" }),
  }),
});

const maxPage = 1000;

interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

/** A page of the log as a Relay connection; the cursor is the position, so pages are stable under appends. */
export async function eventsConnection(ctx: Context, filter: EventFilter, args: PageArgs) {
  if (args.last != null || args.before != null) throw new DomainError("InvalidInput", "The log pages forward only: use first and after.");
  const first = args.first ?? 100;
  if (first < 0 || first > maxPage) throw new DomainError("InvalidInput", `first must be between 0 and ${maxPage}.`);
  const after = args.after == null ? 0 : Number(args.after);
  if (!Number.isSafeInteger(after) || after < 0) throw new DomainError("InvalidInput", `Invalid cursor: ${args.after}`);
  const page = await queryEvents(ctx.prisma, filter, { first, after });
  const edges = page.events.map((node) => ({ cursor: String(node.position), node }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: after > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

builder.queryFields((t) => ({
  events: t.connection({
    type: LogEventRef,
    description: "The event log in position order, optionally filtered. Cursor = position.",
    args: { filter: t.arg({ type: EventFilterInput }) },
    resolve: (_root, args, ctx) => eventsConnection(ctx, args.filter ?? {}, args),
  }),
  history: t.connection({
    type: LogEventRef,
    description: "Every event of the user, group, role or customer-managed policy that has (or had) this ARN, oldest first.",
    args: { arn: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => eventsConnection(ctx, { entityArn: args.arn }, args),
  }),
}));

// The same field on each entity: the events of this entity's own stream (this incarnation only —
// a re-created user of the same name has its own id and stream).
for (const [ref, kind] of [
  [UserRef, "user"],
  [GroupRef, "group"],
  [RoleRef, "role"],
  [PolicyRef, "policy"],
] as const) {
  builder.prismaObjectField(ref as typeof UserRef, "history", (t) =>
    t.connection({
      type: LogEventRef,
      description: "This entity's events, oldest first (AWS-managed policies: their AWS versions with the full catalogue, none with the builtin one).",
      resolve: (entity, args, ctx) => eventsConnection(ctx, { streamId: `${kind}-${entity.id}` }, args),
    }),
  );
}
