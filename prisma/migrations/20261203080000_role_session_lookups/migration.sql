-- Role sessions looked up by their assumed-role ARN (authorize / decisionChanged for
-- `arn:aws:sts::<acct>:assumed-role/<role>/<session>`), and by expiry (pruning expired rows
-- after the retention period, src/sts/session-retention.ts).

-- CreateIndex
CREATE INDEX "role_sessions_assumed_role_arn_issued_at_idx" ON "role_sessions"("assumed_role_arn", "issued_at");

-- CreateIndex
CREATE INDEX "role_sessions_expires_at_idx" ON "role_sessions"("expires_at");
