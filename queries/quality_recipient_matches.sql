-- Per source of messages that name the recipient's number (customer_phone, launchboard.resolve):
-- how the current messages found their customer. Only run when messages has customer_phone.
-- Grain: one row per (source, how). Parameters: none.
WITH owners AS (SELECT phone, count(DISTINCT customer_id) AS customers FROM phone_directory GROUP BY phone)
SELECT f.source,
       CASE WHEN od.order_id IS NOT NULL THEN 'customer of the order in the text'
            WHEN NOT starts_with(m.customer_id, 'unmatched-') THEN 'customer found by the number'
            WHEN o.customers > 1 THEN 'number on several customers'' orders (stand-in customer)'
            ELSE 'number on no order (stand-in customer)' END AS how,
       count(*) AS messages
FROM messages m
JOIN files f ON f.table_name = 'messages' AND f.file = m._file
LEFT JOIN orders od ON od.order_id = m.order_id
LEFT JOIN owners o ON o.phone = m.customer_phone
WHERE f.source IN (SELECT name FROM sources WHERE format = 'twilio_messages')
GROUP BY ALL
ORDER BY f.source, messages DESC
