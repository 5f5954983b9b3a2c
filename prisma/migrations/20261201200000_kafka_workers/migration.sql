-- Kafka mode (issue 12): the relay's and the projection workers' checkpoints, and the
-- permission-changes read model that the `iamgraph project` worker folds asynchronously.
--
-- `worker_checkpoints` is apart from `projection_checkpoints` on purpose: read-your-writes waits
-- on the smallest projection checkpoint (src/projections/watermark.ts), and the inline read
-- models must not wait for an asynchronous worker, nor for the relay.

-- CreateTable
CREATE TABLE "worker_checkpoints" (
    "name" TEXT NOT NULL,
    "position" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "worker_checkpoints_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "permission_changes" (
    "position" BIGINT NOT NULL,
    "principal_arn" TEXT NOT NULL,
    "change" JSONB NOT NULL,

    CONSTRAINT "permission_changes_pkey" PRIMARY KEY ("position","principal_arn")
);

-- CreateIndex
CREATE INDEX "permission_changes_principal_arn_position_idx" ON "permission_changes"("principal_arn", "position");
