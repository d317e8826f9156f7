-- Spec 3b live T: the newest event time among the current versions of accepted rows.
-- Grain: one row. Parameters: none.
SELECT greatest(
    (SELECT greatest(max(ordered_at), max(allocated_at), max(cancelled_at)) FROM orders),
    (SELECT max(event_at) FROM shipments),
    (SELECT greatest(max(requested_at), max(finished_at)) FROM activations),
    (SELECT max(sent_at) FROM messages),
    (SELECT greatest(max(arrived_at), max(answered_at), max(ended_at)) FROM calls)
) AS as_of
