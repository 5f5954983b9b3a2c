import type { Prisma } from "../generated/prisma/client.js";

/**
 * A Prisma interactive transaction: what the write path (app/, eventstore/, the inline
 * projections) works in. It belongs to the store, not to any one of its users.
 */
export type Tx = Prisma.TransactionClient;
