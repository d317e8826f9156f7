"""Order lookup: an agent finds the caller's orders and reads where each one stands.

Every search is recorded in the access log. Phone numbers are masked; on an agent's card the
number is shown once the agent types the last four digits the caller says (recorded too)."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from launchboard import i18n, lookup, lookup_words
from launchboard.i18n import N_, _, num
from launchboard.text import plain
from launchboard.timeutil import local_text
from ui import auth, state
from ui.page import run_page
from ui.widgets import csv_download, launch_tiles, table

KIND_LABELS = {"order": N_("Order id"), "customer": N_("Customer id"), "phone": N_("Phone, last 4 digits")}
KIND_LOG = {"order": "order id", "customer": "customer id", "phone": "phone, last 4 digits"}  # the access log's words
PLACEHOLDERS = {"order": N_("e.g. O0000123"), "customer": N_("e.g. C0004567"), "phone": N_("e.g. 5678")}
NO_MATCH = {"order": N_("No order with order id “{query}” exists as of {moment}."),
            "customer": N_("No order with customer id “{query}” exists as of {moment}."),
            "phone": N_("No order with phone, last 4 digits “{query}” exists as of {moment}.")}
STEPS = {"allocation": N_("Allocation"), "delivery": N_("Delivery"), "activation": N_("Activation")}
LOGGED, REVEALED = "_lookup_logged", "_lookup_revealed"  # the search last logged; phones shown for it


def _search_controls(s):
    opts = state.frame(s, "lookup_options", {})
    regions = opts.loc[opts["field"] == "region", "value"].tolist()
    skus = opts.loc[opts["field"] == "sku", "value"].tolist()
    c1, c2, c3, c4 = st.columns([1.3, 2.2, 1.3, 1.3])
    kind = c1.selectbox(_("Search by"), lookup.KINDS, format_func={k: _(w) for k, w in KIND_LABELS.items()}.get,
                        key="lookup_kind")
    query = c2.text_input(_(KIND_LABELS[kind]), key="lookup_query", placeholder=_(PLACEHOLDERS[kind]))
    phone = kind == "phone"
    region = c3.selectbox(_("Region"), regions, index=None, placeholder=_("Any region"), key="lookup_region",
                          disabled=not phone, help=_("Narrows a phone search"))
    sku = c4.selectbox(_("SKU"), skus, index=None, placeholder=_("Any sku"), key="lookup_sku",
                       disabled=not phone, help=_("Narrows a phone search"))
    return kind, query, (region if phone else None), (sku if phone else None)


def _timeline_frame(card: dict, tz) -> pd.DataFrame:
    return pd.DataFrame(
        [{"time": t["at"].astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), "source": lookup_words.source_text(t["source"]),
          "what": t["what"], "warning": t["flags"], "detail": t["detail"], "id": t["ref"]}
         for t in card["timeline"]],
        columns=["time", "source", "what", "warning", "detail", "id"],
    )


def _confirm_phone(s, o: dict, phone: str | None) -> str | None:
    """An agent's card: the phone number unmasked once the caller's last four digits are typed."""
    revealed = st.session_state.setdefault(REVEALED, {})
    oid = o["order_id"]
    if oid in revealed or phone is None:
        return revealed.get(oid)
    slot = st.empty()
    with slot.form(f"lookup_confirm_{oid}", border=False):
        left, right = st.columns([2, 1, 2], vertical_alignment="bottom")[:2]
        digits = left.text_input(_("Caller's last four digits (to show the whole number)"),
                                 key=f"lookup_confirm_digits_{oid}", max_chars=4, placeholder=_("e.g. 5678"))
        sent = right.form_submit_button(_("Confirm"), key=f"lookup_confirm_button_{oid}", icon=":material/how_to_reg:")
    if not sent:
        return None
    cur = s.cursor()
    try:
        shown = lookup.reveal_phone(cur, oid, digits)
    except ValueError as exc:
        st.warning(plain(exc))
        return None
    finally:
        cur.close()
    if shown is None:
        auth.record("phone_confirm_failed", target=f"order {oid}; customer {o['customer_id']}")
        st.warning(_("Those are not the last four digits of this order's phone: the number stays masked. "
                     "Check the caller's identity."), icon=":material/gpp_maybe:")
        return None
    auth.record("phone_reveal", target=f"order {oid}; customer {o['customer_id']}", detail="last four confirmed")
    revealed[oid] = shown
    slot.empty()
    return shown


def _show_card(s, card: dict, as_of) -> None:
    tz = s.config.tz
    o, outl = card["order"], card["outlook"]
    st.markdown(_("**Stage:** :blue-background[{words}] · `{stage}` as of {moment}").format(
        words=plain(card["stage_text"]), stage=card["stage"], moment=local_text(as_of, tz)))
    revealed = _confirm_phone(s, o, card["phone"]) if auth.role() == "agent" else None
    phone = (_("phone **{phone}** (caller confirmed)").format(phone=plain(revealed)) if revealed else
             _("phone {phone}").format(phone=plain(card["phone"] or "—")))
    facts = [_("Customer **{customer}**").format(customer=plain(o["customer_id"])), phone,
             _("sku {sku}").format(sku=plain(o["sku"])), _("region {region}").format(region=plain(o["region"])),
             _("channel {channel}").format(channel=plain(o["channel"])),
             _("ordered {moment}").format(moment=local_text(o["ordered_at"], tz))] + (
        [_("priority allocation")] if o["priority"] else [])
    st.caption(" · ".join(facts))
    st.info(plain(card["answer"]), icon=":material/record_voice_over:")

    d, a = card["delivery_promise"], card["activation_promise"]
    c1, c2, c3 = st.columns(3)
    c1.markdown("**" + _("Delivery promise") + "**  \n" + (f":red[{plain(d.text)}]" if d.status == "late"
                                                         else plain(d.text)))
    c2.markdown("**" + _("Activation promise") + "**  \n" + (f":red[{plain(a.text)}]" if a.status == "late"
                                                           else plain(a.text)))
    queue = (_("#{position} of {waiting} waiting for {sku}").format(
        position=num(outl["queue_position"]), waiting=num(outl["queue_waiting"]), sku=plain(o["sku"]))
             if outl["queue_position"] is not None else _("Not waiting for stock"))
    c3.markdown("**" + _("Allocation queue") + "**  \n" + queue)
    expected = [f"- **{_(STEPS[step])}**: {plain(outl[step]['text'])}"
                for step in ("allocation", "delivery", "activation") if outl[step]]
    if expected:
        st.markdown(_("**Expected at the current pace** (last {hours} h, first come first served)").format(
            hours=lookup.PACE_HOURS) + "  \n" + "\n".join(expected))

    frame = _timeline_frame(card, tz)
    st.markdown(i18n.ngettext("**Timeline** ({n} event up to {moment})", "**Timeline** ({n} events up to {moment})",
                              len(frame)).format(n=num(len(frame)), moment=local_text(as_of, tz)))
    table(frame, f"lookup_timeline_{o['order_id']}", height=min(38 + 35 * len(frame), 740),
          column_config={"time": st.column_config.TextColumn(width="medium"),
                         "source": st.column_config.TextColumn(width="small"),
                         "what": st.column_config.TextColumn(width="large"),
                         "detail": st.column_config.TextColumn(width="large"),
                         "warning": st.column_config.TextColumn(width="large")})
    csv_download(frame, f"timeline_{o['order_id']}.csv", f"lookup_timeline_csv_{o['order_id']}", _("Timeline CSV"),
                 icon=":material/download:")


def _pick_customer(matches: list[dict]) -> str | None:
    """Several customers share the phone digits: list them and let the agent pick the caller."""
    frame = pd.DataFrame(matches)[["customer_id", "phone", "order_id", "sku", "region", "ordered_at"]]
    st.warning(_("{n} customers match: ask the caller for the region or the model, or pick the caller "
                 "below.").format(n=num(frame["customer_id"].nunique())))
    table(frame, "lookup_matches")
    csv_download(frame, "lookup_matches.csv", "lookup_matches_csv", _("Matches CSV"), icon=":material/download:")
    labels = {}
    for cid, rows in frame.groupby("customer_id", sort=True):
        labels[cid] = (f"{cid} · {rows['phone'].iloc[0]} · {', '.join(sorted(rows['region'].unique()))} · "
                       + i18n.ngettext("{n} order", "{n} orders", len(rows)).format(n=num(len(rows))))
    return st.selectbox(_("Caller"), list(labels), index=None, format_func=labels.get,
                        placeholder=_("Pick the caller"), key="lookup_pick")


def _log_search(kind: str, query: str, region, sku, customer, orders: list[dict]) -> None:
    """One access-log entry per search (a live refresh of the same search adds none); a new
    search masks again the phone numbers shown for the last one."""
    search = f"{KIND_LOG[kind]}: {query.strip()}" + "".join(
        f"; {name} {value}" for name, value in (("region", region), ("sku", sku)) if value)
    key = (search, customer)
    if st.session_state.get(LOGGED) == key:
        return
    if customer is not None:
        target = f"customer {customer}; orders " + ", ".join(o["order_id"] for o in orders)
    elif orders:
        target = f"{len(orders)} matching orders, no caller picked yet"
    else:
        target = "no match"
    auth.record("lookup", target=target, detail=search)
    st.session_state[LOGGED] = key
    st.session_state[REVEALED] = {}


def body(s, view, as_of):
    if auth.role() == "agent":  # the agent has no Launch status page: its tiles head the lookup
        launch_tiles(s, view, as_of)
    st.caption(_("Find a caller's orders by order id, customer id or the last four digits of the phone. "
                 "The sidebar filters do not apply here. Every search is recorded in the access log."))
    kind, query, region, sku = _search_controls(s)
    if not query.strip():
        st.info(_("Type an order id, a customer id, or the last four digits of the caller's phone."))
        return
    cur = s.cursor()
    try:
        try:
            matches = lookup.find(cur, kind, query, as_of, region=region, sku=sku)
        except ValueError as exc:
            st.warning(plain(exc))
            return
        if not matches:
            _log_search(kind, query, region, sku, None, [])
            st.warning(_(NO_MATCH[kind]).format(query=plain(query.strip()), moment=local_text(as_of, s.config.tz)))
            return
        if len(matches) >= lookup.MAX_MATCHES:
            st.warning(_("Showing the first {n} matches: narrow by region or sku.").format(n=lookup.MAX_MATCHES))
        customers = list(dict.fromkeys(m["customer_id"] for m in matches))
        if len(customers) > 1:
            _log_search(kind, query, region, sku, None, matches)
        customer = customers[0] if len(customers) == 1 else _pick_customer(matches)
        if customer is None:
            return
        orders = lookup.find(cur, "customer", customer, as_of)
        if kind == "order":  # the order asked about first, then the customer's others
            orders.sort(key=lambda r: r["order_id"] != matches[0]["order_id"])
        _log_search(kind, query, region, sku, customer, orders)
        st.subheader(_("Customer {customer}").format(customer=plain(customer)) + " · "
                     + plain(orders[0]["phone"] or _("no phone")) + " · "
                     + i18n.ngettext("{n} order", "{n} orders", len(orders)).format(n=num(len(orders))))
        pace = state.frame(s, "lookup_pace", {"as_of": as_of, "since": as_of - timedelta(hours=lookup.PACE_HOURS)})
        for i, row in enumerate(orders):
            card = lookup.card(cur, row["order_id"], as_of, s.config, pace.to_dict("records"))
            label = f"{row['order_id']} · {row['model'] or row['sku']} · {row['region']} — {card['stage_text']}"
            with st.expander(plain(label), expanded=i == 0 or len(orders) <= 2, icon=":material/package_2:"):
                _show_card(s, card, as_of)
    finally:
        cur.close()


run_page(_("Order lookup"), body)
