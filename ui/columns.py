"""Tables as people read them: column headers and the words in stage and severity columns in the
session's language. The frames keep their column names (queries, tests and links use them); only
what is shown and downloaded is translated. English headers are the column names as they are."""
from __future__ import annotations

import pandas as pd

from launchboard import i18n
from launchboard.i18n import NP_, pgettext

# Every column a page shows or downloads, by name (the query's or the page's own); each name is
# its own header's message (context "column"), marked here for the catalog.
HEADERS = frozenset({
    NP_("column", "rank"), NP_("column", "customers_reached"), NP_("column", "baseline"),
    NP_("column", "baseline_method"), NP_("column", "excess"), NP_("column", "rate_ratio"),
    NP_("column", "load_share"), NP_("column", "reasons"), NP_("column", "abandoned"), NP_("column", "adds up"),
    NP_("column", "agents_answering"), NP_("column", "agents_needed"), NP_("column", "allocated"),
    NP_("column", "already_missed"), NP_("column", "answered"), NP_("column", "arrived_at"),
    NP_("column", "asa_seconds"), NP_("column", "at"), NP_("column", "at_end"), NP_("column", "at_start"),
    NP_("column", "attempts"), NP_("column", "backlog"), NP_("column", "batch_id"),
    NP_("column", "batch_template"), NP_("column", "bin"), NP_("column", "bucket_hours"), NP_("column", "bytes"),
    NP_("column", "calls"), NP_("column", "calls_per_customer"), NP_("column", "calls_per_hour"),
    NP_("column", "channel"), NP_("column", "claims"), NP_("column", "cleared"), NP_("column", "column"),
    NP_("column", "column_name"), NP_("column", "content"), NP_("column", "corrected_at"),
    NP_("column", "correction_messages"), NP_("column", "correction_template"), NP_("column", "count"),
    NP_("column", "courier"), NP_("column", "customer_id"), NP_("column", "customers"), NP_("column", "detail"),
    NP_("column", "dimension"), NP_("column", "due"), NP_("column", "e-mail"), NP_("column", "encoding"),
    NP_("column", "error_code"), NP_("column", "event"), NP_("column", "example_customers"),
    NP_("column", "example_messages"), NP_("column", "example_orders"), NP_("column", "failed"),
    NP_("column", "failed sign-ins in a row"), NP_("column", "failure_rate"), NP_("column", "figure"),
    NP_("column", "file"), NP_("column", "file names"), NP_("column", "files"), NP_("column", "files_rejected"),
    NP_("column", "first_raised"), NP_("column", "first_sent"), NP_("column", "format"),
    NP_("column", "from_seconds"), NP_("column", "handle_seconds"), NP_("column", "hours"),
    NP_("column", "hours_to_correction"), NP_("column", "hub"), NP_("column", "id"), NP_("column", "kind"),
    NP_("column", "last_sent"), NP_("column", "late"), NP_("column", "line"), NP_("column", "loaded_at"),
    NP_("column", "matches"), NP_("column", "may open"), NP_("column", "median_hours"), NP_("column", "message"),
    NP_("column", "messages"), NP_("column", "minutes"), NP_("column", "model"), NP_("column", "n"),
    NP_("column", "name"), NP_("column", "newest event"), NP_("column", "newest file arrived"),
    NP_("column", "no_info"), NP_("column", "no_info_calls"), NP_("column", "offered"),
    NP_("column", "oldest_hours"), NP_("column", "order_id"), NP_("column", "ordered_at"), NP_("column", "orders"),
    NP_("column", "orders held"), NP_("column", "orphans"), NP_("column", "outcome"), NP_("column", "p90_hours"),
    NP_("column", "page"), NP_("column", "peak"), NP_("column", "peak_at"), NP_("column", "pending"),
    NP_("column", "phone"), NP_("column", "pickups"), NP_("column", "projected_clear_by"),
    NP_("column", "promise_ahead"), NP_("column", "promised_activation_by"), NP_("column", "quiet"),
    NP_("column", "quiet_sends"), NP_("column", "reason"), NP_("column", "recipients"),
    NP_("column", "refused until"), NP_("column", "region"), NP_("column", "rejected"),
    NP_("column", "requested_via"), NP_("column", "reserved"), NP_("column", "role"), NP_("column", "rows"),
    NP_("column", "rows_accepted"), NP_("column", "rows_read"), NP_("column", "rows_rejected"),
    NP_("column", "rows_unmapped"), NP_("column", "sent"), NP_("column", "sent_at"), NP_("column", "series"),
    NP_("column", "service_level"), NP_("column", "session"), NP_("column", "severity"),
    NP_("column", "signs in with"), NP_("column", "since"), NP_("column", "sku"), NP_("column", "source"),
    NP_("column", "stage"), NP_("column", "stage_at_send"), NP_("column", "status"), NP_("column", "subject"),
    NP_("column", "succeeded"), NP_("column", "superseded"), NP_("column", "table"), NP_("column", "table_name"),
    NP_("column", "target"), NP_("column", "template"), NP_("column", "template_a"), NP_("column", "template_b"),
    NP_("column", "time"), NP_("column", "times_raised"), NP_("column", "to_seconds"), NP_("column", "transition"),
    NP_("column", "type"), NP_("column", "user"), NP_("column", "value"), NP_("column", "warning"),
    NP_("column", "what"), NP_("column", "will_miss"), NP_("column", "within_target"),
})
STAGE_COLUMNS = ("stage", "order_stage", "stage_at_send")
SEVERITY_COLUMNS = ("severity",)
ROLE_COLUMNS = ("role",)


def header(name: str) -> str:
    return pgettext("column", name) if name in HEADERS else name


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
