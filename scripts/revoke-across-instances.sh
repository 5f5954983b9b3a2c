#!/usr/bin/env bash
# Issue 12's reproduction, by hand, against two running instances: a user allowed on B, its policy
# revoked on A, B polled until it denies (and the user's own key, then deleted on A, refused on B).
#   A=http://127.0.0.1:4811 B=http://127.0.0.1:4812 ROOT_ID=… ROOT_SECRET=… scripts/revoke-across-instances.sh [userName]
# Needs curl and python3. Either mode: postgres (LISTEN/NOTIFY) or kafka (a relay running).
set -euo pipefail
A=${A:-http://127.0.0.1:4811}; B=${B:-http://127.0.0.1:4812}
USER_NAME=${1:-revoke-$(date +%s)}
ROOT="${ROOT_ID:?set ROOT_ID}:${ROOT_SECRET:?set ROOT_SECRET}"
ARN="arn:aws:iam::${ACCOUNT_ID:-123456789012}:user/$USER_NAME"

# gql URL CREDENTIALS QUERY [VARIABLES-JSON]
gql() {
  local body
  body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$3" "${4:-{\}}")
  curl -sS -u "$2" -H 'content-type: application/json' "$1/graphql" -d "$body"
  echo
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }

DOC='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}'
AUTHZ="{ authorize(principalArn: \"$ARN\", action: \"iam:GetUser\", resource: \"*\") { ... on AuthorizationDecision { decision } } }"
SELF="{ user(userName: \"$USER_NAME\") { userName } }"

echo "A: createUser, putUserPolicy, createAccessKey for $USER_NAME"
gql "$A" "$ROOT" "mutation (\$u: String!) { createUser(userName: \$u) { __typename } }" "{\"u\":\"$USER_NAME\"}"
gql "$A" "$ROOT" "mutation (\$u: String!, \$d: String!) { putUserPolicy(userName: \$u, policyName: \"r\", policyDocument: \$d) { __typename } }" "$(python3 -c 'import json,sys; print(json.dumps({"u": sys.argv[1], "d": sys.argv[2]}))' "$USER_NAME" "$DOC")"
KEY=$(gql "$A" "$ROOT" "mutation (\$u: String!) { createAccessKey(userName: \$u) { ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } } }" "{\"u\":\"$USER_NAME\"}")
ID=$(echo "$KEY" | field '["data"]["createAccessKey"]["accessKey"]["accessKeyId"]')
SECRET=$(echo "$KEY" | field '["data"]["createAccessKey"]["accessKey"]["secretAccessKey"]')

for _ in $(seq 1 100); do r=$(gql "$B" "$ROOT" "$AUTHZ"); case "$r" in *allowed*) break;; esac; sleep 0.05; done
echo "B: authorize → $r"
echo "B as $USER_NAME → $(gql "$B" "$ID:$SECRET" "$SELF")"

# The poll's body built before the clock starts, so each poll is one curl.
POLL=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$AUTHZ")
echo "A: deleteUserPolicy → $(gql "$A" "$ROOT" "mutation (\$u: String!) { deleteUserPolicy(userName: \$u, policyName: \"r\") { ... on PositionPayload { position } } }" "{\"u\":\"$USER_NAME\"}")"
start=$(date +%s%N)
for _ in $(seq 1 500); do r=$(curl -sS -u "$ROOT" -H 'content-type: application/json' "$B/graphql" -d "$POLL"); case "$r" in *implicitDeny*) break;; esac; done
echo "B denies $(( ($(date +%s%N) - start) / 1000000 )) ms after A answered (polled back to back): $r"
echo "B as $USER_NAME → $(gql "$B" "$ID:$SECRET" "$SELF")"

echo "A: deleteAccessKey → $(gql "$A" "$ROOT" "mutation (\$u: String!, \$k: String!) { deleteAccessKey(userName: \$u, accessKeyId: \$k) { __typename } }" "{\"u\":\"$USER_NAME\",\"k\":\"$ID\"}")"
for _ in $(seq 1 100); do r=$(gql "$B" "$ID:$SECRET" "{ callerIdentity { arn } }"); case "$r" in *InvalidClientTokenId*) break;; esac; sleep 0.02; done
echo "B with the deleted key → $r"
