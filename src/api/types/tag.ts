import { builder } from "../builder.js";

export const TagInput = builder.inputType("TagInput", {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string({ required: true }),
  }),
});

export const TagRef = builder.prismaObject("UserTag", {
  name: "Tag",
  fields: (t) => ({
    key: t.exposeString("key"),
    value: t.exposeString("value"),
  }),
});
