-- Why the saved launch was built again from scratch at its last start (launchboard.persist),
-- one row per reason (a file changed or disappeared, another version, other settings …);
-- no row when it never was.
-- Grain: one row per reason. Parameters: none.
SELECT kind, file, detail, rebuilt_at
FROM lb_rebuilt
ORDER BY kind, file
