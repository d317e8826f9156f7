"""Access log (admin): who signed in, looked up whom, revealed a phone, downloaded or queried what."""
import pandas as pd
import streamlit as st

from launchboard.accesslog import EVENTS
from ui import auth
from ui.widgets import download

SHOWN = 2_000  # newest entries shown; the download has every entry that matches


def _local(df: pd.DataFrame, tz) -> pd.DataFrame:
    """As shown (and downloaded): launch-local times, without the chain's hashes."""
    shown = df.assign(at=df["at"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M:%S")).drop(columns="hash")
    return shown.fillna({c: "" for c in ("role", "page", "target", "detail", "session")})


def body() -> None:
    setup = auth.setup()
    log, tz = setup.log, setup.config.tz
    st.title("Access log")
    st.caption(f"Every sign-in, failed or refused sign-in, sign-out, order lookup, phone reveal, download and "
               f"Explore query, newest first, times in {setup.config.timezone}. The log is append-only: no page "
               "can change or delete an entry, and each entry is chained to the one before by a SHA-256 hash.")
    chain = log.verify()
    if chain.intact:
        st.success(f"{chain.rows:,} entries; the hash chain is intact (no entry changed or removed since it "
                   "was written).", icon=":material/verified_user:")
    else:
        st.error(f"The hash chain breaks at entry {chain.first_bad:,}: the file was changed outside Launchboard.",
                 icon=":material/gpp_bad:")
    left, right = st.columns(2)
    users = left.multiselect("Users", log.users(), key="access_users", placeholder="Every user")
    events = right.multiselect("Events", list(EVENTS), key="access_events", placeholder="Every event",
                               format_func=lambda e: f"{e}: {EVENTS[e]}")
    shown = log.frame(users=users, events=events, limit=SHOWN)
    if shown.empty:
        st.info("No entry matches." if users or events else "The access log is empty.")
        return
    if len(shown) == SHOWN:
        st.caption(f"The newest {SHOWN:,} matching entries; the download has them all.")
    st.dataframe(_local(shown, tz), hide_index=True, key="access_table",
                 column_config={"detail": st.column_config.TextColumn(width="large")})
    download("Download the access log (CSV)", lambda: _local(log.frame(users=users, events=events), tz).to_csv(
        index=False), "access_log.csv", "text/csv", key="access_csv", icon=":material/download:")


body()
