-- Access keys (issue 6).
--
-- `access_keys` is a projection of the AccessKey* events: which keys a user holds and whether
-- each is active. A projection rebuild drops and refills it like any other.
--
-- `access_key_credentials` and `root_credentials` are NOT projections: they hold the only copy
-- of each secret's salted scrypt hash, which must never enter the event log (the log is
-- exported, replayed and read by auditors). They are written in the same transaction as the
-- AccessKeyCreated / AccessKeyDeleted events, and a rebuild never touches them. Last use is
-- telemetry, not state: recording it as events would add one event per authenticated request.

-- CreateTable
CREATE TABLE "access_keys" (
    "access_key_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "access_keys_pkey" PRIMARY KEY ("access_key_id")
);

-- CreateTable
CREATE TABLE "access_key_credentials" (
    "access_key_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "access_key_credentials_pkey" PRIMARY KEY ("access_key_id")
);

-- CreateTable
CREATE TABLE "root_credentials" (
    "id" INTEGER NOT NULL,
    "access_key_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "root_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "access_keys_user_id_idx" ON "access_keys"("user_id");

-- AddForeignKey
ALTER TABLE "access_keys" ADD CONSTRAINT "access_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
