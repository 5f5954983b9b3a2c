import type { Plugin } from "graphql-yoga";

/** Limits and protections every request passes through (issue 6, hardening). */
export interface HardeningOptions {
  readonly production: boolean;
}

export function hardeningPlugins(_options: HardeningOptions): Plugin[] {
  return [];
}
