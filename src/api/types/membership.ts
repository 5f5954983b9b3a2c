import { builder } from "../builder.js";
import { GroupRef } from "./group.js";
import { UserRef } from "./user.js";

// Membership is a join table; these fields select through it so Prisma loads each level of a
// users → groups → users query in one statement.

builder.prismaObjectField(UserRef, "groups", (t) =>
  t.field({
    type: [GroupRef],
    description: "The groups the user belongs to (ListGroupsForUser).",
    select: (_args, _ctx, nestedSelection) => ({ memberships: { select: { group: nestedSelection(true) } } }),
    resolve: (user) => user.memberships.map((m) => m.group),
  }),
);

builder.prismaObjectField(GroupRef, "users", (t) =>
  t.field({
    type: [UserRef],
    description: "The group's members (GetGroup).",
    select: (_args, _ctx, nestedSelection) => ({ memberships: { select: { user: nestedSelection(true) } } }),
    resolve: (group) => group.memberships.map((m) => m.user),
  }),
);
