-- The event log, projection checkpoints, and the users/groups read models.

-- CreateTable
CREATE TABLE "events" (
    "position" BIGSERIAL NOT NULL,
    "stream_id" TEXT NOT NULL,
    "stream_version" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "schema_version" INTEGER NOT NULL,
    "data" JSONB NOT NULL,
    "metadata" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("position")
);

-- CreateTable
CREATE TABLE "projection_checkpoints" (
    "name" TEXT NOT NULL,
    "position" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "projection_checkpoints_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "user_name_key" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "stream_version" INTEGER NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_tags" (
    "user_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "key_key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "user_tags_pkey" PRIMARY KEY ("user_id","key_key")
);

-- CreateTable
CREATE TABLE "groups" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "group_name" TEXT NOT NULL,
    "group_name_key" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "stream_version" INTEGER NOT NULL,

    CONSTRAINT "groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "group_memberships" (
    "user_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "group_memberships_pkey" PRIMARY KEY ("user_id","group_id")
);

-- CreateIndex
CREATE INDEX "events_type_idx" ON "events"("type");

-- CreateIndex
CREATE UNIQUE INDEX "events_stream_id_stream_version_key" ON "events"("stream_id", "stream_version");

-- CreateIndex
CREATE INDEX "users_account_id_path_idx" ON "users"("account_id", "path");

-- CreateIndex
CREATE UNIQUE INDEX "users_account_id_user_name_key_key" ON "users"("account_id", "user_name_key");

-- CreateIndex
CREATE INDEX "groups_account_id_path_idx" ON "groups"("account_id", "path");

-- CreateIndex
CREATE UNIQUE INDEX "groups_account_id_group_name_key_key" ON "groups"("account_id", "group_name_key");

-- CreateIndex
CREATE INDEX "group_memberships_group_id_idx" ON "group_memberships"("group_id");

-- AddForeignKey
ALTER TABLE "user_tags" ADD CONSTRAINT "user_tags_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_memberships" ADD CONSTRAINT "group_memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_memberships" ADD CONSTRAINT "group_memberships_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;
