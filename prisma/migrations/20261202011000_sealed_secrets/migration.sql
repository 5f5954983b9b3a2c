-- Access-key secrets sealed under the master key (AES-256-GCM, src/auth/secret-box.ts) so SigV4
-- signatures can be verified; rows from before keep only their hash and authenticate with Basic.
ALTER TABLE "access_key_credentials" ADD COLUMN "sealed_secret" TEXT;
ALTER TABLE "root_credentials" ADD COLUMN "sealed_secret" TEXT;
