-- STS role sessions (issue 18).
--
-- `role_sessions` is NOT a projection and NOT part of the event log: assuming a role changes no
-- IAM state, so each issued session is recorded here — who held which role, through which
-- provider, until when — the way access-key last use is telemetry. A projection rebuild never
-- touches it. The secret is stored as a salted scrypt hash, the session token as a SHA-256
-- digest; neither can be read back.

-- CreateTable
CREATE TABLE "role_sessions" (
    "access_key_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "token_digest" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "role_id" TEXT NOT NULL,
    "role_arn" TEXT NOT NULL,
    "role_name" TEXT NOT NULL,
    "session_name" TEXT NOT NULL,
    "assumed_role_arn" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "issued_by" TEXT NOT NULL,
    "provider_arn" TEXT,
    "source_identity" TEXT,
    "session_policies" JSONB NOT NULL,
    "tags" JSONB NOT NULL,
    "transitive_tag_keys" JSONB NOT NULL,
    "chained" BOOLEAN NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_sessions_pkey" PRIMARY KEY ("access_key_id")
);

-- CreateIndex
CREATE INDEX "role_sessions_role_arn_issued_at_idx" ON "role_sessions"("role_arn", "issued_at");
