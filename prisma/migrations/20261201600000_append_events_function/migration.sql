-- The one INSERT into the log (src/eventstore/append.ts calls it for every append and for the
-- log import). One call takes the write lock (src/eventstore/write-lock.ts: held until the
-- calling transaction commits, so position order is commit order), checks every job's expected
-- versions, numbers each stream's new events after its current version and inserts them: one
-- round trip per append, or per batch of appends (src/app/group-commit.ts).
--
-- A call carries jobs 0..n-1 (p_job: the job of each event, ascending). Jobs are taken in order;
-- a job whose guard fails (a stream not at its expected version, counting the jobs before it)
-- writes nothing and returns one row naming the stream and its actual version; the other jobs
-- go on. Each statement of a volatile plpgsql function takes a fresh snapshot, so the version
-- checks, made after the lock, see every committed append.
--
-- When no stream is in more than one job (the usual batch: each command its own streams), no
-- job can depend on another, and the whole call is one guard query and one INSERT.
--
-- p_position: explicit positions (the log import keeps the file's), or empty for the sequence.
-- p_schema_version: each event's schema version, always explicit (new events: the current
-- version of their type; imported events: the version they were stored at).
CREATE FUNCTION append_events(
    p_job INT[], p_stream TEXT[], p_type TEXT[], p_schema_version INT[], p_data TEXT[],
    p_metadata TEXT[], p_occurred_at TEXT[], p_position BIGINT[],
    p_guard_job INT[], p_guard_stream TEXT[], p_guard_expected INT[])
RETURNS TABLE (job INT, ord BIGINT, event_position BIGINT, event_version INT, refused_stream TEXT, actual_version INT)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    j INT;
    v INT;
    bad RECORD;
    explicit BOOLEAN := cardinality(p_position) > 0;
BEGIN
    PERFORM pg_advisory_xact_lock(440889953, hashtext(current_schema())); -- write-lock.ts: writeLockKey
    -- The usual single append: one job, one stream, at most one guard — no window, no join.
    IF NOT explicit AND cardinality(p_guard_job) <= 1 AND p_job[1] = p_job[cardinality(p_job)]
       AND p_stream[1] = ALL (p_stream) THEN
        SELECT coalesce(max(e.stream_version), 0) INTO v FROM events e WHERE e.stream_id = p_stream[1];
        IF cardinality(p_guard_job) = 1 AND v <> p_guard_expected[1] THEN
            RETURN QUERY SELECT p_job[1], NULL::BIGINT, NULL::BIGINT, NULL::INT, p_stream[1], v;
            RETURN;
        END IF;
        RETURN QUERY
        WITH w AS (
            INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
            SELECT p_stream[1], v + x.n, x.t, x.sv, x.d::jsonb, x.m::jsonb, x.o::timestamptz
              FROM unnest(p_type, p_schema_version, p_data, p_metadata, p_occurred_at) WITH ORDINALITY AS x(t, sv, d, m, o, n)
             ORDER BY x.n
            RETURNING position, stream_version
        )
        SELECT p_job[1], (w.stream_version - v)::BIGINT, w.position, w.stream_version, NULL::TEXT, NULL::INT FROM w ORDER BY w.position;
        RETURN;
    END IF;
    IF NOT explicit AND NOT EXISTS (
        SELECT 1 FROM (SELECT DISTINCT xj, s FROM unnest(p_job, p_stream) AS u(xj, s)) AS d GROUP BY s HAVING count(*) > 1
    ) THEN
        RETURN QUERY
        WITH checked AS (
            SELECT gj, gs, gx, coalesce((SELECT max(e.stream_version) FROM events e WHERE e.stream_id = gs), 0) AS actual
              FROM unnest(p_guard_job, p_guard_stream, p_guard_expected) AS u(gj, gs, gx)
        ), refused AS (
            SELECT DISTINCT ON (gj) gj, gs, actual FROM checked WHERE actual <> gx ORDER BY gj, gs
        ), input AS (
            SELECT x.*, coalesce((SELECT max(e.stream_version) FROM events e WHERE e.stream_id = x.s), 0)
                          + row_number() OVER (PARTITION BY x.s ORDER BY x.n) AS v
              FROM unnest(p_job, p_stream, p_type, p_schema_version, p_data, p_metadata, p_occurred_at)
                   WITH ORDINALITY AS x(xj, s, t, sv, d, m, o, n)
             WHERE x.xj NOT IN (SELECT gj FROM refused)
        ), w AS (
            INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
            SELECT s, v, t, sv, d::jsonb, m::jsonb, o::timestamptz FROM input ORDER BY n
            RETURNING position, stream_id, stream_version
        )
        SELECT i.xj, i.n, w.position, w.stream_version, NULL::TEXT, NULL::INT
          FROM w JOIN input i ON i.s = w.stream_id AND i.v = w.stream_version
        UNION ALL
        SELECT gj, NULL, NULL, NULL, gs, actual FROM refused;
        RETURN;
    END IF;
    FOR j IN 0 .. coalesce(p_job[cardinality(p_job)], -1) LOOP
        SELECT g.s, g.actual INTO bad
          FROM (SELECT gs AS s, gx AS expected,
                       coalesce((SELECT max(e.stream_version) FROM events e WHERE e.stream_id = gs), 0) AS actual
                  FROM unnest(p_guard_job, p_guard_stream, p_guard_expected) AS u(gj, gs, gx)
                 WHERE gj = j) AS g
         WHERE g.actual <> g.expected
         LIMIT 1;
        IF FOUND THEN
            RETURN QUERY SELECT j, NULL::BIGINT, NULL::BIGINT, NULL::INT, bad.s::TEXT, bad.actual::INT;
            CONTINUE;
        END IF;
        IF explicit THEN
            RETURN QUERY
            WITH input AS (
                SELECT x.*, coalesce((SELECT max(e.stream_version) FROM events e WHERE e.stream_id = x.s), 0)
                              + row_number() OVER (PARTITION BY x.s ORDER BY x.n) AS v
                  FROM unnest(p_job, p_stream, p_type, p_schema_version, p_data, p_metadata, p_occurred_at, p_position)
                       WITH ORDINALITY AS x(xj, s, t, sv, d, m, o, p, n)
                 WHERE x.xj = j
            ), w AS (
                INSERT INTO events (position, stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
                SELECT p, s, v, t, sv, d::jsonb, m::jsonb, o::timestamptz FROM input ORDER BY n
                RETURNING position, stream_id, stream_version
            )
            SELECT j, i.n, w.position, w.stream_version, NULL::TEXT, NULL::INT
              FROM w JOIN input i ON i.s = w.stream_id AND i.v = w.stream_version ORDER BY i.n;
        ELSE
            -- The position comes from the column's sequence default, drawn in ORDER BY n.
            RETURN QUERY
            WITH input AS (
                SELECT x.*, coalesce((SELECT max(e.stream_version) FROM events e WHERE e.stream_id = x.s), 0)
                              + row_number() OVER (PARTITION BY x.s ORDER BY x.n) AS v
                  FROM unnest(p_job, p_stream, p_type, p_schema_version, p_data, p_metadata, p_occurred_at)
                       WITH ORDINALITY AS x(xj, s, t, sv, d, m, o, n)
                 WHERE x.xj = j
            ), w AS (
                INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at)
                SELECT s, v, t, sv, d::jsonb, m::jsonb, o::timestamptz FROM input ORDER BY n
                RETURNING position, stream_id, stream_version
            )
            SELECT j, i.n, w.position, w.stream_version, NULL::TEXT, NULL::INT
              FROM w JOIN input i ON i.s = w.stream_id AND i.v = w.stream_version ORDER BY i.n;
        END IF;
    END LOOP;
    IF explicit THEN
        -- Appends after an import continue after its highest position.
        PERFORM setval(pg_get_serial_sequence('events', 'position'), greatest((SELECT max(position) FROM events), 1));
    END IF;
END $$;
