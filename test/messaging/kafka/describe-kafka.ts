import { describe } from "vitest";
import { postgresUrl } from "../../support/databases.js";
import { kafkaBrokers } from "./kafka-support.js";

// Kafka suites need a broker and PostgreSQL; without either they are skipped, loudly
// (test/support/global-setup.ts), and IAMGRAPH_REQUIRE_KAFKA=1 makes them mandatory. Kept apart from
// kafka-support.ts so benches can use the helpers without loading Vitest.
export const describeKafka = kafkaBrokers && postgresUrl ? describe : describe.skip;
