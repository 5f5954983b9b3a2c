import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * One full garbage collection now, of V8's low-memory ("last-resort") kind: the only kind that
 * also gives back the young generation's committed pages. Used where a process has just made a
 * lot of garbage or grown its heap for a one-off reason and is about to idle: a new embedded data
 * dir (the unpacked initdb template, ~90 MB), and a server once it listens (start-up's long-lived
 * objects grow each semi-space to 16 MB, ~30 MB of RSS V8 keeps while idle; issue 17 item 5,
 * bench/RESULTS.md). Node has no API for it: `--expose-gc`, set at run time, makes `gc` appear in
 * contexts created afterwards, so it is taken from a throw-away context (the process's own
 * globals get no `gc`). ~0.1 s, synchronous. Tried instead for the server: capping the young
 * generation during start-up (as much saved, start-up ~0.3 s slower) and for good (20–50% more CPU
 * per request); under load it grows back as V8 sees fit.
 */
export function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
}
