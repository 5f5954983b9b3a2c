-- OpenID Connect providers (issue 18): a projection of the OpenIDConnectProvider* events, like
-- any other read model (rebuilt from the log).

-- CreateTable
CREATE TABLE "oidc_providers" (
    "arn" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "client_ids" JSONB NOT NULL,
    "thumbprints" JSONB NOT NULL,
    "tags" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "stream_version" INTEGER NOT NULL,

    CONSTRAINT "oidc_providers_pkey" PRIMARY KEY ("arn")
);
