import { afterAll, beforeAll, expect, test } from "vitest";
import { AuthenticationFailure } from "../../src/auth/authentication-failure.js";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { Authenticator } from "../../src/auth/authenticator.js";
import { CredentialStore } from "../../src/auth/credential-store.js";
import { hashSecret } from "../../src/auth/secret-hash.js";
import { embedded, type TestDatabase } from "../support/databases.js";

// Failed attempts are budgeted per source address: past the budget an unproven secret is
// refused as Throttling without the scrypt it would cost, while a key already proven in this
// process keeps working from the same address, and the budget refills with time.

const keyId = "AKIAROOTROOTROOTROOT";
const secret = "the-root-secret-of-this-test-000000000000";
let db: TestDatabase;
beforeAll(async () => {
  db = await embedded.open();
});
afterAll(() => db?.dispose());

test("failed attempts from one address are throttled without hashing; proven keys and other addresses are not", async () => {
  let clock = 1_000_000;
  const authenticator = async () =>
    new Authenticator({
      store: new CredentialStore(db.prisma),
      accountId: "123456789012",
      root: { kind: "stored", accessKeyId: keyId, secretHash: await hashSecret(secret) },
      now: () => clock,
      failures: { burst: 3, perSecond: 0.5 },
    });
  const good = basicAuthorization(keyId, secret);
  const wrong = basicAuthorization(keyId, "not-the-secret-not-the-secret-not-the-sec");

  const fresh = await authenticator();
  for (let i = 0; i < 4; i++) expect(await fresh.authenticate(wrong, "10.0.0.9")).toMatchObject({ code: "SignatureDoesNotMatch" });
  const verifications = fresh.stats.verifications;
  const refused = await fresh.authenticate(good, "10.0.0.9");
  expect(refused).toBeInstanceOf(AuthenticationFailure);
  expect(refused).toMatchObject({ code: "Throttling", message: "Rate exceeded" });
  expect((refused as AuthenticationFailure).retryAfterMs).toBeGreaterThan(0);
  expect(fresh.stats.verifications).toBe(verifications); // refused unverified: no scrypt spent
  // Another address is unaffected…
  expect(await fresh.authenticate(good, "10.0.0.10")).toMatchObject({ kind: "root" });
  // …and once proven, the key passes from the throttled address too (no hashing needed).
  expect(await fresh.authenticate(good, "10.0.0.9")).toMatchObject({ kind: "root" });

  // Malformed headers cost nothing to refuse and spend no budget.
  const probe = await authenticator();
  for (let i = 0; i < 10; i++) expect(await probe.authenticate("Bearer x", "10.0.0.1")).toMatchObject({ code: "IncompleteSignature" });
  expect(await probe.authenticate(good, "10.0.0.1")).toMatchObject({ kind: "root" });

  // The budget refills with time.
  const unknown = basicAuthorization("AKIANOSUCHKEYNOSUCHK", secret);
  for (let i = 0; i < 4; i++) await probe.authenticate(unknown, "10.0.0.2");
  expect(await probe.authenticate(unknown, "10.0.0.2")).toMatchObject({ code: "Throttling" });
  clock += 10_000;
  expect(await probe.authenticate(unknown, "10.0.0.2")).toMatchObject({ code: "InvalidClientTokenId" });
});
