"""The SMS gateway's message log, Twilio's CSV export (``format = "twilio_messages"``) -> messages.

Columns ``From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,Sid,Direction,
Price,PriceUnit`` (read as a CSV: UTF-8 or CP949, plain or gzip; ``To``, ``Body``, ``Status``,
``SentDate`` and ``Sid`` must be there, else the file is rejected whole).

- ``message_id`` = Sid; ``sent_at`` = SentDate, read with the source's ``timestamp_format`` and
  ``timezone`` (Twilio writes RFC 2822 in UTC: ``"%a, %d %b %Y %H:%M:%S %z"``); ``error_code`` =
  ErrorCode as it is (a ``[sources.values.error_code]`` map can name the codes).
- ``status``: queued, accepted, scheduled, sending, sent -> ``pending`` (no delivery report
  yet); delivered, read -> ``delivered``; undelivered, failed -> ``failed``. The source's own
  ``[sources.values.status]`` words come first. Another word is a rejected row naming it.
- Rows that are not outbound notifications are not rows: inbound messages (Direction
  ``inbound``, or status receiving/received) and messages cancelled before they were sent
  (``canceled``); each is counted per file (``inbound``, ``canceled``).
- ``template`` from the Body by ``[[sources.options.templates]]`` rules, in order, the first
  that matches wins: ``prefix`` (the body starts with it) or ``regex`` (RE2, searched in the
  body). A rule may capture ``order_id``, ``batch_id`` or ``corrects_batch_id`` with named groups
  (``(?P<order_id>…)``) and may set ``batch_id`` / ``corrects_batch_id`` as constants;
  ``body_groups`` (an option) is a regex whose named groups fill what the rule left empty. A
  body no rule matches is a rejected row, ``template: no mapping for '<the body's first 40
  characters>'``, counted with the unmapped values so the rules can be fixed.
- ``customer_phone`` = To in national form (``lb_phone``). ``customer_id`` (a placeholder when
  read) is decided when the launch is built (``launchboard.resolve``): the customer of the body's order when the orders
  carry it, else the one customer whose orders carry the number, else a stand-in for the number
  (``unmatched-`` and a digest of it), so the message counts and a later orders drop fixes it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ..checks import literal
from ..schema import ident
from . import csv_reader
from .base import FileRejected, Format, Staged, StageJob

STATUS = {"queued": "pending", "accepted": "pending", "scheduled": "pending", "sending": "pending",
          "sent": "pending", "delivered": "delivered", "read": "delivered", "undelivered": "failed",
          "failed": "failed"}
NOT_NOTIFICATIONS = ("receiving", "received", "canceled")
REQUIRED = ("to", "body", "status", "sentdate", "sid")
GROUPS = ("order_id", "batch_id", "corrects_batch_id")
BODY_START = 40  # characters of an unmatched body named in its reason
NAMES = ["message_id", "customer_id", "template", "sent_at", "status", "order_id", "batch_id",
         "corrects_batch_id", "error_code", "customer_phone"]


def _regex(pattern: object, key: str) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"{key} must be a regular expression, got {pattern!r}")
    try:
        groups = re.compile(pattern).groupindex
    except re.error as exc:
        raise ValueError(f"{key} {pattern!r}: {exc}") from exc
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        raise ValueError(f"{key}: named group(s) {', '.join(unknown)} (known: {', '.join(GROUPS)})")
    con = duckdb.connect()  # the loader runs it with DuckDB's RE2, which must accept it too
    try:
        con.execute("SELECT regexp_matches('', $p)", {"p": pattern})
    except duckdb.Error as exc:
        raise ValueError(f"{key} {pattern!r}: " + str(exc).splitlines()[0]) from exc
    finally:
        con.close()
    return pattern


def check_options(options: dict) -> dict:
    """``templates`` (a list of rules), ``body_groups`` (a regex), ``delimiter`` (as csv)."""
    known = {"templates", "body_groups", "delimiter"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError("unknown option(s) for format twilio_messages: " + ", ".join(unknown)
                         + " (known: " + ", ".join(sorted(known)) + ")")
    out = csv_reader.check_options({k: v for k, v in options.items() if k == "delimiter"})
    rules = options.get("templates", [])
    if not isinstance(rules, list) or not rules or not all(isinstance(r, dict) for r in rules):
        raise ValueError("templates must be a list of rules ([[sources.options.templates]]), at least one")
    checked = []
    for i, rule in enumerate(rules, 1):
        key = f"templates[{i}]"
        bad = sorted(set(rule) - {"template", "prefix", "regex", "batch_id", "corrects_batch_id"})
        if bad:
            raise ValueError(f"{key}: unknown key(s) {', '.join(bad)} (known: template, prefix, regex, batch_id, "
                             "corrects_batch_id)")
        if not isinstance(rule.get("template"), str) or not rule["template"].strip():
            raise ValueError(f"{key}: template must name the template")
        if ("prefix" in rule) == ("regex" in rule):
            raise ValueError(f"{key} ({rule['template']}): give one of prefix or regex")
        if "prefix" in rule and (not isinstance(rule["prefix"], str) or not rule["prefix"]):
            raise ValueError(f"{key}: prefix must be text")
        for const in ("batch_id", "corrects_batch_id"):
            if const in rule and (not isinstance(rule[const], str) or not rule[const].strip()):
                raise ValueError(f"{key}: {const} must be text")
        checked.append({**rule, "template": rule["template"].strip(),
                        **({"regex": _regex(rule["regex"], f"{key}.regex")} if "regex" in rule else {})})
    out["templates"] = checked
    if "body_groups" in options:
        out["body_groups"] = _regex(options["body_groups"], "body_groups")
    return out


def _group(pattern: str, name: str) -> int | None:
    """The number of a named group in a pattern (Python and RE2 number groups alike)."""
    return re.compile(pattern).groupindex.get(name)


def _rules_sql(options: dict, params: dict) -> tuple[str, dict[str, str]]:
    """The SQL of the number of the first rule that matches ``body`` (null: none), and per
    group column the SQL of its value."""
    # the f-strings splice only rule and group numbers (ints) and $parameter names; every value is bound
    whens, values = [], {g: [] for g in GROUPS}
    for i, rule in enumerate(options["templates"], 1):
        if "prefix" in rule:
            params[f"tw_p{i}"] = rule["prefix"]
            whens.append(f"WHEN starts_with(body, $tw_p{i}) THEN {i}")
        else:
            params[f"tw_r{i}"] = rule["regex"]
            whens.append(f"WHEN regexp_matches(body, $tw_r{i}) THEN {i}")
        for g in GROUPS:
            if "regex" in rule and _group(rule["regex"], g):
                values[g].append(f"WHEN {i} THEN nullif(regexp_extract(body, $tw_r{i}, {_group(rule['regex'], g)}), '')")
            elif rule.get(g):
                params[f"tw_{g}{i}"] = rule[g]
                values[g].append(f"WHEN {i} THEN CAST($tw_{g}{i} AS VARCHAR)")
    fallback = options.get("body_groups")
    if fallback:
        params["tw_body"] = fallback
    out = {}
    for g in GROUPS:
        own = f"CASE _rule {' '.join(values[g])} END" if values[g] else "NULL::VARCHAR"
        if fallback and _group(fallback, g):
            # the rule's own value is never '', so one nullif covers both; a nullif inside the
            # coalesce would have DuckDB hoist (and run) the fallback regex on every row
            own = f"nullif(coalesce({own}, regexp_extract(body, $tw_body, {_group(fallback, g)})), '')"
        out[g] = own
    return "CASE " + " ".join(whens) + " END", out


@contextmanager
def stage(job: StageJob) -> Iterator[Staged]:
    options = job.options
    with csv_reader.stage(job) as inner:
        cols = {n: ident(n) for n in inner.names}
        missing = [h for h in REQUIRED if h not in cols]
        if missing:
            raise FileRejected("not a Twilio message log: missing column(s) "
                               + ", ".join({"sentdate": "SentDate", "sid": "Sid"}.get(h, h.capitalize()) for h in missing))
        params: dict = dict(inner.params)
        words = dict(STATUS) | {v: v for v in STATUS.values()}  # a contract word passes as it is
        for word, value in (job.source.values.get("status", {}) if job.source is not None else {}).items():
            words[word.strip().lower().replace(" ", "")] = value
        params["tw_words"], params["tw_values"] = list(words), list(words.values())
        rule, groups = _rules_sql(options, params)
        direction = "lower(coalesce(direction, ''))" if "direction" in cols else "''"
        status_key = "replace(lower(lb_blank(status)), ' ', '')"
        kind = ("CASE WHEN starts_with(" + direction + ", 'inbound') OR " + status_key
                + " IN ('receiving', 'received') THEN 'inbound' WHEN " + status_key
                + " = 'canceled' THEN 'canceled' END")
        # the file's own record (only made for a rejected row): its cells, kept as hidden columns
        raw = ["_tw_" + str(i) for i in range(len(inner.names))]
        record = "json_object(" + ", ".join(literal(h.strip()) + ", lb_blank(" + ident(r) + ")"
                                              for h, r in zip(inner.headers, raw)) + ")"
        word = "MAP($tw_words, $tw_values)[" + status_key + "]"
        params["tw_body_start"] = BODY_START
        select = (
            "SELECT sid AS message_id,"
            # a placeholder: launchboard.resolve decides every such row's customer when the
            # launch is built (from the order in the text or the number)
            " CASE WHEN _phone IS NOT NULL THEN '?' END AS customer_id,"
            # no rule: the body's start, marked unmapped below (the row's reason names it)
            " CASE WHEN _rule IS NOT NULL THEN CAST($tw_templates AS VARCHAR[])[_rule]"
            " ELSE left(lb_blank(body), $tw_body_start) END AS template,"
            " sentdate AS sent_at,"
            " coalesce(" + word + ", status) AS status,"
            " " + groups["order_id"] + " AS order_id, " + groups["batch_id"] + " AS batch_id,"
            " " + groups["corrects_batch_id"] + " AS corrects_batch_id,"
            + (" errorcode" if "errorcode" in cols else " NULL::VARCHAR") + " AS error_code,"
            " _phone AS customer_phone,"
            " CASE WHEN _rule IS NULL AND lb_blank(body) IS NOT NULL THEN left(lb_blank(body), $tw_body_start)"
            " END AS _nomap_template,"
            " CASE WHEN lb_blank(status) IS NOT NULL AND " + word + " IS NULL THEN lb_blank(status) END"
            " AS _nomap_status,"
            # not a notification (finish counts and drops these rows)
            " " + kind + " AS _skip, " + ", ".join(ident(n) + " AS " + ident(r) for n, r in zip(inner.names, raw))
            + " FROM (SELECT *, " + rule + " AS _rule, lb_phone(\"to\") AS _phone"
            " FROM (" + inner.select + "))")
        params["tw_templates"] = [r["template"] for r in options["templates"]]
        staged = Staged(
            select=select, names=list(NAMES), headers=list(NAMES), encoding=inner.encoding, params=params,
            line=inner.line, carry=("_skip",), hidden=tuple(raw), content=record,
            read_error=inner.read_error, unreadable=inner.unreadable, nomap=("template", "status"),
            check=inner.check)

        def finish(cur, st: Staged) -> None:
            # the CSV's malformed lines, and the parsed records numbered around them
            inner.finish(cur, inner)
            st.line = inner.line
            # The rows that are not notifications went through the checks with the others (the
            # file is read once, straight into ``checked``, whose rowid is then the record's
            # position): counted and deleted here, before the loader appends and counts the
            # rows (a deleted row's neighbours keep their rowid, hence their line).
            st.counts = {k: int(v) for k, v in cur.execute(
                "SELECT _skip, count(*) FROM checked WHERE _skip IS NOT NULL GROUP BY ALL").fetchall()}
            if st.counts:
                cur.execute("DELETE FROM checked WHERE _skip IS NOT NULL")

        staged.finish = finish
        yield staged


FORMAT = Format("twilio_messages", stage, contract_names=True, check_options=check_options,
                fixes={"template": "no [[sources.options.templates]] rule matches these bodies: add a rule "
                                   "(template, prefix or regex) under the source"})
