import type { GroupCommand } from "../domain/groups/decide.js";
import type { UserCommand } from "../domain/users/decide.js";

/** Every command the pipeline accepts. */
export type Command = UserCommand | GroupCommand;
