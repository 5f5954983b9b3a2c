import type { IamEvent } from "../../../events/catalogue.js";
import { versionNumber } from "../shared/imported.js";
import { applyTags, removeTags, type Tag } from "../shared/tags.js";

export interface PolicyVersionState {
  readonly versionId: string;
  readonly document: string;
  readonly createdAt?: string;
  /** AWS-managed only: AWS's date of the version, when history sees it take effect. */
  readonly effectiveAt?: string;
}

export type PolicyState =
  | { readonly status: "absent" }
  | {
      readonly status: "active";
      readonly policyId: string;
      readonly policyName: string;
      readonly path: string;
      readonly arn: string;
      readonly description: string;
      /** Versions kept now (at most 5); deleted ones stay only in the log. */
      readonly versions: readonly PolicyVersionState[];
      readonly defaultVersionId: string;
      /** Version ids are never reused: v1, v2, … counting every version ever created. */
      readonly versionsCreated: number;
      readonly tags: readonly Tag[];
      /** AWS-managed (account `aws`): unmodifiable, and its versions carry AWS's dates. */
      readonly awsManaged?: boolean;
    }
  | { readonly status: "deleted"; readonly policyId: string; readonly policyName: string };

export const initialPolicyState: PolicyState = { status: "absent" };

export function evolvePolicy(state: PolicyState, event: IamEvent): PolicyState {
  switch (event.type) {
    case "PolicyCreated": {
      const d = event.data;
      return {
        status: "active",
        policyId: d.policyId,
        policyName: d.policyName,
        path: d.path,
        arn: d.arn,
        description: d.description,
        versions: [{ versionId: d.versionId, document: d.document, ...(d.effectiveAt ? { effectiveAt: d.effectiveAt } : {}) }],
        defaultVersionId: d.versionId,
        // An imported policy may start at any version id (v1 … v7 were made in AWS).
        versionsCreated: Math.max(1, versionNumber(d.versionId) ?? 1),
        tags: d.tags,
        ...(d.awsManaged ? { awsManaged: true } : {}),
      };
    }
    case "PolicyVersionCreated":
      if (state.status !== "active") return state;
      return {
        ...state,
        versions: [
          ...state.versions,
          { versionId: event.data.versionId, document: event.data.document, ...(event.data.effectiveAt ? { effectiveAt: event.data.effectiveAt } : {}) },
        ],
        versionsCreated: Math.max(state.versionsCreated + 1, versionNumber(event.data.versionId) ?? 0),
      };
    case "PolicyDefaultVersionSet":
      if (state.status !== "active") return state;
      return { ...state, defaultVersionId: event.data.versionId };
    case "PolicyVersionDeleted":
      if (state.status !== "active") return state;
      return { ...state, versions: state.versions.filter((v) => v.versionId !== event.data.versionId) };
    case "PolicyDeleted":
      return { status: "deleted", policyId: event.data.policyId, policyName: event.data.policyName };
    case "PolicyTagged":
      if (state.status !== "active") return state;
      return { ...state, tags: applyTags(state.tags, event.data.tags) };
    case "PolicyUntagged":
      if (state.status !== "active") return state;
      return { ...state, tags: removeTags(state.tags, event.data.tagKeys) };
    default:
      return state;
  }
}
