-- Macros shared by every query. Run once per database at start-up, after
-- `SET GLOBAL TimeZone` to the launch time zone (so a timestamp without an
-- offset is read as launch-local time).

-- An empty or blank CSV field is null; others are trimmed (trim removes Unicode spaces).
-- Most fields are ASCII that starts and ends with a non-space: those are returned as they
-- are, without trim building a new string.
CREATE OR REPLACE MACRO lb_blank(s) AS
    CASE WHEN s >= '!' AND NOT ends_with(s, ' ') AND strlen(s) = length(s) THEN s
         ELSE nullif(trim(s), '') END;

-- Spec 1: YYYY-MM-DD HH:MM[:SS[.ffffff]], 'T' or space, optional Z / +09:00 / +0900 / +09
-- (z in any case, blanks allowed before the offset, as launchboard.timeutil.parse_moment).
-- The common exact form 'YYYY-MM-DD HH:MM:SS' takes a fast strptime path.
CREATE OR REPLACE MACRO lb_ts(s) AS
    CASE WHEN length(s) = 19 AND substr(s, 11, 1) = ' '
         THEN CAST(try_strptime(s, '%Y-%m-%d %H:%M:%S') AS TIMESTAMPTZ)
         WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?')
         THEN try_cast(regexp_replace(replace(upper(s), 'T', ' '), '\s+([Z+-])', '\1') AS TIMESTAMPTZ) END;

-- True when s is null or a timestamp lb_ts can read.
CREATE OR REPLACE MACRO lb_ts_ok(s) AS s IS NULL OR lb_ts(s) IS NOT NULL;

-- Spec 1: true/false, 1/0, y/n, yes/no in any case.
CREATE OR REPLACE MACRO lb_bool(s) AS
    CASE WHEN lower(s) IN ('true', '1', 'y', 'yes') THEN true
         WHEN lower(s) IN ('false', '0', 'n', 'no') THEN false END;

-- Filters shared by every page: an empty list means "no filter on this field".
-- Each argument of the row is a list (an order has one channel; a customer may have several).
CREATE OR REPLACE MACRO lb_in_scope(channels, regions, skus, couriers, f_channels, f_regions, f_skus, f_couriers) AS
    (len(f_channels) = 0 OR list_has_any(coalesce(channels, []), CAST(f_channels AS VARCHAR[])))
    AND (len(f_regions) = 0 OR list_has_any(coalesce(regions, []), CAST(f_regions AS VARCHAR[])))
    AND (len(f_skus) = 0 OR list_has_any(coalesce(skus, []), CAST(f_skus AS VARCHAR[])))
    AND (len(f_couriers) = 0 OR list_has_any(coalesce(couriers, []), CAST(f_couriers AS VARCHAR[])));

-- Spec 3b "contradicting_state": is the template's claim false for an order in this stage?
CREATE OR REPLACE MACRO lb_claim_false(claim, stage) AS
    CASE claim
        WHEN 'not_delivered' THEN stage IN ('delivered', 'returned', 'activation_pending', 'activation_failed', 'activated')
        WHEN 'delivered' THEN stage NOT IN ('delivered', 'activation_pending', 'activation_failed', 'activated')
        WHEN 'not_activated' THEN stage = 'activated'
        WHEN 'activated' THEN stage <> 'activated'
        WHEN 'allocated' THEN stage = 'reserved'
        ELSE false
    END;

-- A 32-bit key of an order_id, kept beside it in message_facts (which is not sorted by order):
-- finding one order's messages compares integers over every message before comparing the ids
-- of the few rows whose key matches (lookup_timeline 110 -> 47 ms at 1M orders). Collisions are
-- harmless: the order_id is compared too.
CREATE OR REPLACE MACRO lb_order_key(order_id) AS CAST(hash(order_id) % 4294967296 AS UINTEGER);

-- Local (launch time zone) wall-clock time of an instant.
CREATE OR REPLACE MACRO lb_local(ts) AS timezone(current_setting('TimeZone'), ts);

-- Spec 3b quiet hours: a local time of day in [start, end), the window may wrap midnight.
CREATE OR REPLACE MACRO lb_quiet_time(tod, q_start, q_end) AS
    CASE WHEN q_start <= q_end THEN tod >= q_start AND tod < q_end
         ELSE tod >= q_start OR tod < q_end
    END;

-- The same for an instant (its launch-local time of day).
CREATE OR REPLACE MACRO lb_in_quiet(ts, q_start, q_end) AS
    lb_quiet_time(CAST(lb_local(ts) AS TIME), q_start, q_end);

-- Personal data: a phone number is shown as 010-****-5678 (last four digits kept).
CREATE OR REPLACE MACRO lb_mask_phone(p) AS
    CASE WHEN p IS NULL THEN NULL
         WHEN length(regexp_replace(p, '[^0-9]', '', 'g')) < 4 THEN '****'
         ELSE left(regexp_replace(p, '[^0-9]', '', 'g'), 3) || '-****-' || right(regexp_replace(p, '[^0-9]', '', 'g'), 4)
    END;

-- Evaluating a figure at many moments at once (the incident review's alert history: one query
-- per alert kind for up to ~120 moments, queries/history_*.sql). The moments and the moments
-- minus the alert windows are the "bounds", sorted and distinct (queries/history_bounds.sql).
-- lb_us: an instant as microseconds since the epoch, infinity and -infinity as the largest and
-- smallest BIGINT (epoch_us gives null for them); null stays null.
CREATE OR REPLACE MACRO lb_us(ts) AS
    CASE WHEN ts = 'infinity'::TIMESTAMPTZ THEN 9223372036854775807
         WHEN ts = '-infinity'::TIMESTAMPTZ THEN -9223372036854775807
         ELSE epoch_us(ts) END;

-- One step of a binary search in bounds_us (a sorted BIGINT list, 1-based): i, plus k when
-- element i + k exists and is below us.
CREATE OR REPLACE MACRO lb_bisect_step(i, k, us, bounds_us) AS
    i + k * CAST(coalesce(bounds_us[i + k], 9223372036854775807) < us AS INTEGER);

-- The rows of the query named tbl (a CTE or table with BIGINT columns from_us and to_us: epoch_us
-- of instants, null allowed) with their buckets among bounds_us (sorted, distinct, at most 511)
-- added as b_from and b_to: how many bounds are below the instant. For the bound at 0-based
-- position j, t <= bound exactly when bucket(t) <= j; null stays null. A binary search of nine
-- steps, each in its own projection (one nested expression measured 4x slower).
CREATE OR REPLACE MACRO lb_bucketed(tbl, bounds_us) AS TABLE
WITH s1 AS (SELECT *, lb_bisect_step(0, 256, from_us, bounds_us) AS _f, lb_bisect_step(0, 256, to_us, bounds_us) AS _t
            FROM query_table(tbl)),
s2 AS (SELECT * REPLACE (lb_bisect_step(_f, 128, from_us, bounds_us) AS _f, lb_bisect_step(_t, 128, to_us, bounds_us) AS _t) FROM s1),
s3 AS (SELECT * REPLACE (lb_bisect_step(_f, 64, from_us, bounds_us) AS _f, lb_bisect_step(_t, 64, to_us, bounds_us) AS _t) FROM s2),
s4 AS (SELECT * REPLACE (lb_bisect_step(_f, 32, from_us, bounds_us) AS _f, lb_bisect_step(_t, 32, to_us, bounds_us) AS _t) FROM s3),
s5 AS (SELECT * REPLACE (lb_bisect_step(_f, 16, from_us, bounds_us) AS _f, lb_bisect_step(_t, 16, to_us, bounds_us) AS _t) FROM s4),
s6 AS (SELECT * REPLACE (lb_bisect_step(_f, 8, from_us, bounds_us) AS _f, lb_bisect_step(_t, 8, to_us, bounds_us) AS _t) FROM s5),
s7 AS (SELECT * REPLACE (lb_bisect_step(_f, 4, from_us, bounds_us) AS _f, lb_bisect_step(_t, 4, to_us, bounds_us) AS _t) FROM s6),
s8 AS (SELECT * REPLACE (lb_bisect_step(_f, 2, from_us, bounds_us) AS _f, lb_bisect_step(_t, 2, to_us, bounds_us) AS _t) FROM s7)
SELECT * EXCLUDE (_f, _t), lb_bisect_step(_f, 1, from_us, bounds_us) AS b_from, lb_bisect_step(_t, 1, to_us, bounds_us) AS b_to
FROM s8;

-- Each of moments (a TIMESTAMPTZ list) with the buckets among bounds_us (lb_bucketed) of itself,
-- j, and of itself minus span (an interval, the alert's window), j_start: a row in bucket b is
-- in the moment's window (moment - span, moment] exactly when j_start < b <= j (both ends are
-- bounds). The moments of the alert history's windowed counts (queries/history_*.sql).
CREATE OR REPLACE MACRO lb_moment_windows(moments, span, bounds_us) AS TABLE
WITH given AS (
    SELECT m, epoch_us(m) AS from_us, epoch_us(m - span) AS to_us
    FROM unnest(moments) AS u(m)
)
SELECT m AS moment, b_from AS j, b_to AS j_start FROM lb_bucketed('given', bounds_us);

-- For h = histogram(value, bounds) (a map from each bound to the count of values above the
-- previous bound and at or below it): how many values are at or below the bound b.
CREATE OR REPLACE MACRO lb_at_or_below(h, b) AS
    coalesce(list_sum(list_transform(map_entries(h), lambda e: CASE WHEN e.key <= b THEN e.value ELSE 0 END)), 0);

-- A phone number in national form, for matching a caller id or an SMS recipient with an
-- order's phone (launchboard.phones.normalise_phone is the same rule; a test checks both):
-- digits only; +82…, 0082… or 82 followed by at least nine digits -> 0 + the national number
-- (a trunk 0 kept once); another country's +… keeps its +; no digit -> null.
CREATE OR REPLACE MACRO lb_phone_national(d) AS
    CASE WHEN starts_with(substr(d, 3), '0') THEN substr(d, 3) ELSE '0' || substr(d, 3) END;
CREATE OR REPLACE MACRO lb_phone_digits(p, plus) AS
    CASE WHEN p = '' THEN NULL
         WHEN starts_with(p, '0082') THEN lb_phone_national(substr(p, 3))
         WHEN starts_with(p, '82') AND (plus OR length(p) >= 11) THEN lb_phone_national(p)
         WHEN plus THEN '+' || p
         ELSE p END;
CREATE OR REPLACE MACRO lb_phone_any(p) AS
    lb_phone_digits(regexp_replace(p, '[^0-9]', '', 'g'), starts_with(trim(p), '+'));
-- The same, the common forms first, without lb_phone_any's regexp_replace (a third of the cost
-- at 1M orders): a national number written with digits and dashes (0 and a digit other than 0,
-- so never 0082…) loses its dashes; +82 and digits only is 0 + the rest (a trunk 0 kept once).
CREATE OR REPLACE MACRO lb_phone(p) AS
    CASE WHEN regexp_full_match(p, '0[1-9][0-9-]*') THEN replace(p, '-', '')
         WHEN regexp_full_match(p, '\+82[0-9]*') THEN lb_phone_national(substr(p, 2))
         ELSE lb_phone_any(p) END;
-- lb_phone(p) IS NOT NULL (p has a digit), without computing it.
CREATE OR REPLACE MACRO lb_has_phone(p) AS regexp_matches(p, '[0-9]');

-- A contract timestamp text whose source keeps another time zone than the launch's: without
-- an offset it is wall-clock time in `zone` (launch.toml [[sources]] timezone).
CREATE OR REPLACE MACRO lb_ts_zone(s, zone) AS
    CASE WHEN regexp_matches(s, '([zZ]|[+-]\d{2}(:?\d{2})?)$') THEN lb_ts(s)
         ELSE timezone(zone, CAST(lb_ts(s) AS TIMESTAMP)) END;

-- The stand-in customer of an SMS recipient whose number no order carries (or several
-- customers' orders do): the same number gives the same stand-in, a digest, not the number
-- (launchboard.resolve replaces it once an order carries the number).
CREATE OR REPLACE MACRO lb_phone_standin(p) AS 'unmatched-' || left(md5(p), 10);

-- Personal data: every phone-shaped number inside a text (a rejected row's content or reason)
-- masked like lb_mask_phone: 010-1234-5678, 01012345678, 02-123-4567, +82 10-1234-5678.
CREATE OR REPLACE MACRO lb_mask_phones_in(s) AS
    regexp_replace(
        regexp_replace(s, '(^|[^0-9+])\+?82[-. ]?0?(1\d)[-. ]?\d{3,4}[-. ]?(\d{4})([^0-9]|$)', '\10\2-****-\3\4', 'g'),
        '\b(0\d{1,2})[-. ]?\d{3,4}[-. ]?(\d{4})\b', '\1-****-\2', 'g');
