-- Templates the messages use that launch.toml's catalog does not describe (spec 4).
-- Grain: one row per template. Parameters: none.
SELECT DISTINCT m.template
FROM messages m
LEFT JOIN template_catalog c USING (template)
WHERE c.template IS NULL
ORDER BY m.template
