-- phone_directory: every current order's phone in national form (lb_phone), to find the
-- customer behind a caller id or an SMS recipient (launchboard.resolve). Built whole when the
-- orders are; a drop replaces the rows of the orders it touched.
-- Grain: one row per current order with a phone. Parameters: none.
CREATE OR REPLACE TABLE phone_directory AS
SELECT order_id, customer_id, lb_phone(phone) AS phone
FROM orders
WHERE lb_has_phone(phone);
