-- Feed freshness (spec 3b): not as of T, it describes what has arrived. For each of the five
-- tables: finished files seen, the newest file's arrival (file modification time), and the
-- newest event time among the table's current rows.
-- Grain: one row per table (tables without any file included). Parameters: none.
WITH tables(table_name, pos) AS (
    VALUES ('orders', 1), ('shipments', 2), ('activations', 3), ('messages', 4), ('calls', 5)
),
arrivals AS (
    SELECT table_name, count(*) AS files, max(arrived_at) AS newest_file_at
    FROM files GROUP BY table_name
),
events AS (SELECT table_name, newest_event_at FROM newest_events)  -- queries/load/newest_events.sql
SELECT t.table_name, coalesce(a.files, 0) AS files, a.newest_file_at, e.newest_event_at
FROM tables t
LEFT JOIN arrivals a USING (table_name)
LEFT JOIN events e USING (table_name)
ORDER BY t.pos
