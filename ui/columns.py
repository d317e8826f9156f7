"""Tables as people read them: column headers and the words in stage and severity columns in the
session's language. The frames keep their column names (queries, tests and links use them); only
what is shown and downloaded is translated. English headers are the column names as they are."""
from __future__ import annotations

import pandas as pd

from launchboard import i18n
from launchboard.i18n import NP_, pgettext

HEADERS = {  # every column a page shows or downloads, by name (the query's or the page's own)
    "rank": NP_("column", "rank"), "customers_reached": NP_("column", "customers_reached"),
    "baseline": NP_("column", "baseline"), "baseline_method": NP_("column", "baseline_method"),
    "excess": NP_("column", "excess"), "rate_ratio": NP_("column", "rate_ratio"),
    "load_share": NP_("column", "load_share"), "reasons": NP_("column", "reasons"),
    "abandoned": NP_("column", "abandoned"), "adds up": NP_("column", "adds up"),
    "agents_answering": NP_("column", "agents_answering"), "agents_needed": NP_("column", "agents_needed"),
    "allocated": NP_("column", "allocated"), "already_missed": NP_("column", "already_missed"),
    "answered": NP_("column", "answered"), "arrived_at": NP_("column", "arrived_at"),
    "asa_seconds": NP_("column", "asa_seconds"), "at": NP_("column", "at"), "at_end": NP_("column", "at_end"),
    "at_start": NP_("column", "at_start"), "attempts": NP_("column", "attempts"),
    "backlog": NP_("column", "backlog"), "batch_id": NP_("column", "batch_id"),
    "batch_template": NP_("column", "batch_template"), "bin": NP_("column", "bin"),
    "bucket_hours": NP_("column", "bucket_hours"), "bytes": NP_("column", "bytes"), "calls": NP_("column", "calls"),
    "calls_per_customer": NP_("column", "calls_per_customer"), "calls_per_hour": NP_("column", "calls_per_hour"),
    "channel": NP_("column", "channel"), "claims": NP_("column", "claims"), "cleared": NP_("column", "cleared"),
    "column": NP_("column", "column"), "column_name": NP_("column", "column_name"),
    "content": NP_("column", "content"), "corrected_at": NP_("column", "corrected_at"),
    "correction_messages": NP_("column", "correction_messages"),
    "correction_template": NP_("column", "correction_template"), "count": NP_("column", "count"),
    "courier": NP_("column", "courier"), "customer_id": NP_("column", "customer_id"),
    "customers": NP_("column", "customers"), "detail": NP_("column", "detail"),
    "dimension": NP_("column", "dimension"), "due": NP_("column", "due"), "e-mail": NP_("column", "e-mail"),
    "encoding": NP_("column", "encoding"), "error_code": NP_("column", "error_code"),
    "event": NP_("column", "event"), "example_customers": NP_("column", "example_customers"),
    "example_messages": NP_("column", "example_messages"), "example_orders": NP_("column", "example_orders"),
    "failed": NP_("column", "failed"), "failed sign-ins in a row": NP_("column", "failed sign-ins in a row"),
    "failure_rate": NP_("column", "failure_rate"), "figure": NP_("column", "figure"), "file": NP_("column", "file"),
    "file names": NP_("column", "file names"), "files": NP_("column", "files"),
    "files_rejected": NP_("column", "files_rejected"), "first_raised": NP_("column", "first_raised"),
    "first_sent": NP_("column", "first_sent"), "format": NP_("column", "format"),
    "from_seconds": NP_("column", "from_seconds"), "handle_seconds": NP_("column", "handle_seconds"),
    "hours": NP_("column", "hours"), "hours_to_correction": NP_("column", "hours_to_correction"),
    "hub": NP_("column", "hub"), "id": NP_("column", "id"), "kind": NP_("column", "kind"),
    "last_sent": NP_("column", "last_sent"), "late": NP_("column", "late"), "line": NP_("column", "line"),
    "loaded_at": NP_("column", "loaded_at"), "matches": NP_("column", "matches"),
    "may open": NP_("column", "may open"), "median_hours": NP_("column", "median_hours"),
    "message": NP_("column", "message"), "messages": NP_("column", "messages"), "minutes": NP_("column", "minutes"),
    "model": NP_("column", "model"), "n": NP_("column", "n"), "name": NP_("column", "name"),
    "newest event": NP_("column", "newest event"), "newest file arrived": NP_("column", "newest file arrived"),
    "no_info": NP_("column", "no_info"), "no_info_calls": NP_("column", "no_info_calls"),
    "offered": NP_("column", "offered"), "oldest_hours": NP_("column", "oldest_hours"),
    "order_id": NP_("column", "order_id"), "ordered_at": NP_("column", "ordered_at"),
    "orders": NP_("column", "orders"), "orders held": NP_("column", "orders held"),
    "orphans": NP_("column", "orphans"), "outcome": NP_("column", "outcome"),
    "p90_hours": NP_("column", "p90_hours"), "page": NP_("column", "page"), "peak": NP_("column", "peak"),
    "peak_at": NP_("column", "peak_at"), "pending": NP_("column", "pending"), "phone": NP_("column", "phone"),
    "pickups": NP_("column", "pickups"), "projected_clear_by": NP_("column", "projected_clear_by"),
    "promise_ahead": NP_("column", "promise_ahead"),
    "promised_activation_by": NP_("column", "promised_activation_by"), "quiet": NP_("column", "quiet"),
    "quiet_sends": NP_("column", "quiet_sends"), "reason": NP_("column", "reason"),
    "recipients": NP_("column", "recipients"), "refused until": NP_("column", "refused until"),
    "region": NP_("column", "region"), "rejected": NP_("column", "rejected"),
    "requested_via": NP_("column", "requested_via"), "reserved": NP_("column", "reserved"),
    "role": NP_("column", "role"), "rows": NP_("column", "rows"), "rows_accepted": NP_("column", "rows_accepted"),
    "rows_read": NP_("column", "rows_read"), "rows_rejected": NP_("column", "rows_rejected"),
    "rows_unmapped": NP_("column", "rows_unmapped"), "sent": NP_("column", "sent"),
    "sent_at": NP_("column", "sent_at"), "series": NP_("column", "series"),
    "service_level": NP_("column", "service_level"), "session": NP_("column", "session"),
    "severity": NP_("column", "severity"), "signs in with": NP_("column", "signs in with"),
    "since": NP_("column", "since"), "sku": NP_("column", "sku"), "source": NP_("column", "source"),
    "stage": NP_("column", "stage"), "stage_at_send": NP_("column", "stage_at_send"),
    "status": NP_("column", "status"), "subject": NP_("column", "subject"), "succeeded": NP_("column", "succeeded"),
    "superseded": NP_("column", "superseded"), "table": NP_("column", "table"),
    "table_name": NP_("column", "table_name"), "target": NP_("column", "target"),
    "template": NP_("column", "template"), "template_a": NP_("column", "template_a"),
    "template_b": NP_("column", "template_b"), "time": NP_("column", "time"),
    "times_raised": NP_("column", "times_raised"), "to_seconds": NP_("column", "to_seconds"),
    "transition": NP_("column", "transition"), "type": NP_("column", "type"), "user": NP_("column", "user"),
    "value": NP_("column", "value"), "warning": NP_("column", "warning"), "what": NP_("column", "what"),
    "will_miss": NP_("column", "will_miss"), "within_target": NP_("column", "within_target"),
}
STAGE_COLUMNS = ("stage", "order_stage", "stage_at_send")
SEVERITY_COLUMNS = ("severity",)
ROLE_COLUMNS = ("role",)


def header(name: str) -> str:
    return pgettext("column", HEADERS[name]) if name in HEADERS else name


def shown_values(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with stage, severity and role words in the session's language (English: as is)."""
    if i18n.current() == "en" or df.empty:
        return df
    words = {**{c: i18n.stage for c in STAGE_COLUMNS}, **{c: i18n.severity for c in SEVERITY_COLUMNS},
             **{c: i18n.role for c in ROLE_COLUMNS}, "transition": i18n.transition, "status": i18n.file_status}
    changed = {c: df[c].map(lambda v, f=f: f(v) if isinstance(v, str) else v)
               for c, f in words.items() if c in df.columns}
    return df.assign(**changed) if changed else df


def labels(df: pd.DataFrame, config: dict | None = None) -> dict:
    """``st.dataframe`` column_config: each column's header in the session's language, unless the
    page gave one (a string, or a column config with a label)."""
    out = dict(config or {})
    for name in df.columns:
        given = out.get(name)
        if isinstance(given, str) or (isinstance(given, dict) and given.get("label")):
            continue
        text = header(str(name))
        if given is None:
            if text != name:
                out[name] = text
        elif isinstance(given, dict):
            out[name] = {**given, "label": text}
    return out


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame a CSV download carries: what the page shows, headers included."""
    shown = shown_values(df)
    return shown.rename(columns={c: header(str(c)) for c in shown.columns}) if i18n.current() != "en" else shown
