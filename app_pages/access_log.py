"""Access log (admin): who signed in, looked up whom, revealed a phone, downloaded or queried what."""
import pandas as pd
import streamlit as st

from launchboard.accesslog import EVENTS
from launchboard.i18n import _, num
from ui import auth
from ui.widgets import csv_text, download, table

SHOWN = 2_000  # newest entries shown; the download has every entry that matches


def _local(df: pd.DataFrame, tz) -> pd.DataFrame:
    """As shown (and downloaded): launch-local times, without the chain's hashes."""
    shown = df.assign(at=df["at"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M:%S")).drop(columns="hash")
    return shown.fillna({c: "" for c in ("role", "page", "target", "detail", "session")})


def body() -> None:
    setup = auth.setup()
    log, tz = setup.log, setup.config.tz
    st.title(_("Access log"))
    st.caption(_("Every sign-in, failed or refused sign-in, sign-out, order lookup, phone reveal, download and "
                 "Explore query, newest first, times in {zone}. The log is append-only: no page can change or "
                 "delete an entry, and each entry is chained to the one before by a SHA-256 hash.").format(
        zone=setup.config.timezone))
    chain = log.verify()
    if chain.intact:
        st.success(_("{n} entries; the hash chain is intact (no entry changed or removed since it was "
                     "written).").format(n=num(chain.rows)), icon=":material/verified_user:")
    else:
        st.error(_("The hash chain breaks at entry {n}: the file was changed outside Launchboard.").format(
            n=num(chain.first_bad)), icon=":material/gpp_bad:")
    left, right = st.columns(2)
    users = left.multiselect(_("Users"), log.users(), key="access_users", placeholder=_("Every user"))
    events = right.multiselect(_("Events"), list(EVENTS), key="access_events", placeholder=_("Every event"),
                               format_func={e: f"{e}: {_(w)}" for e, w in EVENTS.items()}.get)
    shown = log.frame(users=users, events=events, limit=SHOWN)
    if shown.empty:
        st.info(_("No entry matches.") if users or events else _("The access log is empty."))
        return
    if len(shown) == SHOWN:
        st.caption(_("The newest {n} matching entries; the download has them all.").format(n=num(SHOWN)))
    table(_local(shown, tz), "access_table", column_config={"detail": st.column_config.TextColumn(width="large")})
    download(_("Download the access log (CSV)"), lambda: csv_text(_local(log.frame(users=users, events=events), tz)),
             "access_log.csv", "text/csv", key="access_csv", icon=":material/download:")


body()
