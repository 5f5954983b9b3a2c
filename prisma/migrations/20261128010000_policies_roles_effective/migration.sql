-- Managed and inline policies, roles, attachments, boundaries and the effective-permissions projection.

-- AlterTable
ALTER TABLE "users" ADD COLUMN "permissions_boundary_arn" TEXT;

-- CreateTable
CREATE TABLE "roles" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "role_name" TEXT NOT NULL,
    "role_name_key" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "max_session_duration" INTEGER NOT NULL,
    "assume_role_policy_document" TEXT NOT NULL,
    "permissions_boundary_arn" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "stream_version" INTEGER NOT NULL,

    CONSTRAINT "roles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_tags" (
    "role_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "key_key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "role_tags_pkey" PRIMARY KEY ("role_id","key_key")
);

-- CreateTable
CREATE TABLE "policies" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "policy_name" TEXT NOT NULL,
    "policy_name_key" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "default_version_id" TEXT NOT NULL,
    "is_aws_managed" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "stream_version" INTEGER NOT NULL,

    CONSTRAINT "policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_versions" (
    "policy_id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "document" TEXT NOT NULL,
    "is_default" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "policy_versions_pkey" PRIMARY KEY ("policy_id","version_id")
);

-- CreateTable
CREATE TABLE "policy_tags" (
    "policy_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "key_key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "policy_tags_pkey" PRIMARY KEY ("policy_id","key_key")
);

-- CreateTable
CREATE TABLE "policy_attachments" (
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "policy_arn" TEXT NOT NULL,
    "attached_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "policy_attachments_pkey" PRIMARY KEY ("entity_type","entity_id","policy_arn")
);

-- CreateTable
CREATE TABLE "inline_policies" (
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "policy_name" TEXT NOT NULL,
    "document" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inline_policies_pkey" PRIMARY KEY ("entity_type","entity_id","policy_name")
);

-- CreateTable
CREATE TABLE "effective_policies" (
    "principal_type" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "source_key" TEXT NOT NULL,
    "via_group_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "policy_arn" TEXT,
    "policy_name" TEXT NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "since_position" BIGINT NOT NULL,

    CONSTRAINT "effective_policies_pkey" PRIMARY KEY ("principal_id","source_key","via_group_id")
);

-- CreateIndex
CREATE INDEX "roles_account_id_path_idx" ON "roles"("account_id", "path");

-- CreateIndex
CREATE UNIQUE INDEX "roles_account_id_role_name_key_key" ON "roles"("account_id", "role_name_key");

-- CreateIndex
CREATE UNIQUE INDEX "policies_arn_key" ON "policies"("arn");

-- CreateIndex
CREATE INDEX "policies_account_id_path_idx" ON "policies"("account_id", "path");

-- CreateIndex
CREATE UNIQUE INDEX "policies_account_id_policy_name_key_key" ON "policies"("account_id", "policy_name_key");

-- CreateIndex
CREATE INDEX "policy_attachments_policy_arn_idx" ON "policy_attachments"("policy_arn");

-- CreateIndex
CREATE INDEX "effective_policies_policy_arn_idx" ON "effective_policies"("policy_arn");

-- CreateIndex
CREATE INDEX "effective_policies_owner_type_owner_id_idx" ON "effective_policies"("owner_type", "owner_id");

-- AddForeignKey
ALTER TABLE "role_tags" ADD CONSTRAINT "role_tags_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "policies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_tags" ADD CONSTRAINT "policy_tags_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "policies"("id") ON DELETE CASCADE ON UPDATE CASCADE;
