import { basicAuthorization } from "../../src/auth/authorization-header.js";

/** The root key every test server is configured with (IAMGRAPH_ROOT_* in production). */
export const testRootKey = { accessKeyId: "AKIAIAMGRAPHTESTROOT", secretAccessKey: "test-root-secret/DO-NOT-USE+0123456789abc" } as const;

export const rootAuthorization = basicAuthorization(testRootKey.accessKeyId, testRootKey.secretAccessKey);

/** Test config: NODE_ENV=test plus the root key. */
export const testEnv = {
  NODE_ENV: "test",
  IAMGRAPH_ROOT_ACCESS_KEY_ID: testRootKey.accessKeyId,
  IAMGRAPH_ROOT_SECRET_ACCESS_KEY: testRootKey.secretAccessKey,
  // Seals access-key secrets (src/auth/master-key.ts); postgres mode refuses to start without one.
  IAMGRAPH_MASTER_KEY: "dGVzdC1tYXN0ZXIta2V5LWRvLW5vdC11c2UtMDEyMzQ=",
} as const;
