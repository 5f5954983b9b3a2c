-- History and time travel: "the last position at or before a timestamp" (asOf: {timestamp})
-- and time-range filters on the events connection read occurred_at; without an index each
-- such lookup scans the whole log.
CREATE INDEX "events_occurred_at_idx" ON "events"("occurred_at");
