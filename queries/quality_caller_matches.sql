-- Per source of calls that name the caller's number (customer_phone, launchboard.resolve): how
-- the current calls found their customer. Only run when calls has customer_phone.
-- Grain: one row per (source, how). Parameters: none.
WITH owners AS (SELECT phone, count(DISTINCT customer_id) AS customers FROM phone_directory GROUP BY phone)
SELECT f.source,
       CASE WHEN c.customer_phone IS NULL THEN 'no number (withheld or anonymous)'
            WHEN c.customer_id IS NOT NULL THEN 'customer found by the number'
            WHEN o.customers > 1 THEN 'number on several customers'' orders (unknown caller)'
            ELSE 'number on no order (unknown caller)' END AS how,
       count(*) AS calls
FROM calls c
JOIN files f ON f.table_name = 'calls' AND f.file = c._file
LEFT JOIN owners o ON o.phone = c.customer_phone
WHERE f.source IN (SELECT name FROM sources WHERE format = 'asterisk_queue_log')
GROUP BY ALL
ORDER BY f.source, calls DESC
