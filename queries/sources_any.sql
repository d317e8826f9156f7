-- Whether the launch has any launch.toml source, or files one read (then the per-source
-- figures are worth computing). Grain: one row. Parameters: none.
SELECT EXISTS (SELECT 1 FROM sources) OR EXISTS (SELECT 1 FROM files WHERE source IS NOT NULL)
