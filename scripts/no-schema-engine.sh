#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded here. `prisma generate`
# only checks that the file exists; iamgraph applies migrations itself (src/db/migrate.ts).
echo "iamgraph: Prisma's schema engine is not installed; run 'npm run migrate' instead of 'prisma migrate'." >&2
exit 1
