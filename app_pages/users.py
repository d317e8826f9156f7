"""Users (admin): who may sign in, with which role, and who is refused for now."""
from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from launchboard import auth as rules
from launchboard.i18n import _
from ui import auth
from ui.widgets import table

st.title(_("Users"))
setup = auth.setup()
settings = setup.config.auth
now = datetime.now(timezone.utc)
rows = []
for key, user in auth.users(setup).items():
    state = rules.lockout(setup.log.attempts(key), now, max_failures=settings.max_failures,
                          minutes=settings.lockout_minutes)
    rows.append({"name": user.name, "role": user.role, "e-mail": user.email or "",
                 "signs in with": _("password") if user.password_hash else _("identity provider only"),
                 "may open": _(rules.ROLE_WORDS[user.role]), "failed sign-ins in a row": state.failures,
                 "refused until": "" if state.until is None else
                 state.until.astimezone(setup.config.tz).strftime("%Y-%m-%d %H:%M:%S")})
st.caption(_("From the users file `{path}`, as it is now; passwords are kept there only as argon2id hashes. "
             "After {failures} failed sign-ins in a row a name is refused for {lockout} minutes; sessions end "
             "after {idle} minutes idle.").format(path=setup.users_path, failures=f"{settings.max_failures:g}",
                                                  lockout=f"{settings.lockout_minutes:g}",
                                                  idle=f"{settings.idle_minutes:g}"))
table(pd.DataFrame(rows), "users_table", column_config={"may open": st.column_config.TextColumn(width="large")})
st.subheader(_("Changing users"))
st.caption(_("Users are changed on the server, with the command line (a page cannot write the users file); a "
             "change applies at once, and a removed user's open sessions end at their next click. Each change is "
             "recorded in the access log."))
st.code("python -m launchboard users add NAME --role manager|agent|analyst|admin --data DATA_FOLDER\n"
        "python -m launchboard users add NAME --role ROLE --replace --data DATA_FOLDER   # new role or password\n"
        "python -m launchboard users remove NAME --data DATA_FOLDER\n"
        "python -m launchboard users list --data DATA_FOLDER", language="sh")
