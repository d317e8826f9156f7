-- Every finished file seen, per table: arrival (file modification time, launch-local),
-- size, encoding, whether it loaded or was rejected whole (with the reason), rows read and
-- rows rejected, and the launch.toml source that read it (null: the contract's layout).
-- Grain: one row per file. Parameters: none.
SELECT
    table_name,
    file,
    lb_local(arrived_at) AS arrived_at,
    bytes,
    encoding,
    status,
    reason,
    rows_read,
    rows_rejected,
    lb_local(loaded_at) AS loaded_at,
    source
FROM files
ORDER BY table_name, arrived_at, file
