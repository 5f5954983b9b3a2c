-- Projection rebuilds (src/projections/rebuild.ts): which version of each read model is live.
-- A projection without a row is still at version 1, the tables the migrations created.

-- CreateTable
CREATE TABLE "projection_versions" (
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rebuilt_at" TIMESTAMPTZ(3) NOT NULL,
    "rebuilt_through" BIGINT NOT NULL,
    "replayed_events" BIGINT NOT NULL,

    CONSTRAINT "projection_versions_pkey" PRIMARY KEY ("name")
);
