-- Role sessions' secrets, sealed like access keys' (src/auth/secret-box.ts): SigV4 is an HMAC
-- keyed by the secret, so a request signed with temporary credentials can only be verified
-- with the secret itself. Sessions issued before this column existed keep HTTP Basic only.
ALTER TABLE "role_sessions" ADD COLUMN "sealed_secret" TEXT;
