"""Sign-in and roles in Chromium, on the sample launch with a users file: the sign-in screen,
each role's navigation, the agent's card before and after confirming the caller, a direct
link to a forbidden page, the analyst's download, and the admin's access log."""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from e2e_support import ROOT, SHOTS, served, wait_for_render, wait_for_run
from signin_users import PASSWORD, TITLES, USERS, write_users

from launchboard.accesslog import AccessLog

NAV = {  # what each role's sidebar navigation lists (an agent has one page: no navigation)
    "agent": [],
    "manager": ["Launch status", "Pipeline & bottlenecks", "Activations", "Messages", "Call centre",
                "Incident review", "Data quality"],
    "analyst": ["Launch status", "Pipeline & bottlenecks", "Activations", "Messages", "Call centre",
                "Order lookup", "Incident review", "Data quality", "Explore (SQL)"],
    "admin": ["Access log", "Users"],
}
NAME = {role: name for name, role in USERS.items()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    state = tmp_path_factory.mktemp("signin-state")
    users = write_users(state / "users.toml")
    with served(ROOT / "sample_data", {"LAUNCHBOARD_USERS": str(users), "LAUNCHBOARD_STATE": str(state)}) as url:
        yield url, AccessLog.in_folder(state)


@pytest.fixture
def fresh(browser):
    """A new browser context (its own session) per use."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, name: str, password: str = PASSWORD) -> None:
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_run(page)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_sign_in_screen_comes_first(site, fresh):
    url, _ = site
    page = fresh()
    page.goto(f"{url}/pipeline?lang=en&refresh=off")
    wait_for_run(page)
    shot(page, "signin")
    assert page.get_by_role("heading", name="Launchboard").count() == 1
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.locator("[data-testid='stMetric'], [data-testid='stDataFrame']").count() == 0


def test_the_sign_in_screen_in_korean(site, fresh):
    """The sample launch speaks Korean: its sign-in screen too, with the language switch on it."""
    url, _ = site
    page = fresh()
    page.goto(f"{url}/?refresh=off")
    wait_for_run(page)
    page.get_by_role("textbox", name="사용자 이름").wait_for(timeout=30_000)
    assert page.get_by_role("textbox", name="비밀번호").count() == 1
    assert page.get_by_role("button", name="로그인").count() == 1
    assert "출시 현황을 보려면 로그인하세요." in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "ko_signin")
    page.locator(".st-key-lang button", has_text="English").click()
    page.get_by_role("textbox", name="User name").wait_for(timeout=30_000)
    assert "lang=en" in page.url


@pytest.mark.parametrize("role", list(NAV))
def test_each_role_sees_only_its_pages(site, fresh, role):
    url, _ = site
    page = fresh()
    page.goto(f"{url}/?lang=en&refresh=off")
    wait_for_run(page)
    sign_in(page, NAME[role])
    home = TITLES[{"agent": "lookup", "admin": "access_log"}.get(role, "status")]
    page.get_by_role("heading", name=home).first.wait_for(timeout=30_000)
    wait_for_run(page)
    wait_for_render(page)
    shot(page, f"role_{role}")
    shown = [t.strip() for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]
    assert [s.split("\n")[-1] for s in shown] == NAV[role]  # each link: its icon's name, then its title
    assert f"{NAME[role]} · {role}" in page.locator("[data-testid='stSidebar']").inner_text()
    assert page.locator("[data-testid='stException']").count() == 0


def test_the_agents_card_before_and_after_confirming(site, fresh):
    url, log = site
    page = fresh()
    page.goto(f"{url}/?lang=en&refresh=off")
    wait_for_run(page)
    sign_in(page, "mina")
    box = page.get_by_role("textbox", name="Order id")
    box.fill("O0000001")
    box.press("Enter")
    wait_for_run(page)
    main = page.locator("[data-testid='stMain']")
    # the card streams in line by line: wait for its phone line rather than reading it mid-render
    expect(main).to_contain_text("phone 010-****-1213", timeout=30_000)
    wait_for_render(page)
    shot(page, "agent_card_masked")
    assert "010-7123-1213" not in main.inner_text()
    page.get_by_role("textbox", name="Caller's last four digits (to show the whole number)").fill("1213")
    page.get_by_role("button", name="Confirm").click()
    wait_for_run(page)
    wait_for_render(page)
    expect(main).to_contain_text("phone 010-7123-1213 (caller confirmed)", timeout=30_000)
    shot(page, "agent_card_confirmed")
    events = log.frame(users=["mina"])
    assert events["event"].tolist()[:3] == ["phone_reveal", "lookup", "sign_in"]
    assert events.iloc[1]["target"] == "customer C0002496; orders O0000001"


def test_a_direct_link_to_a_forbidden_page_shows_nothing_of_it(site, fresh):
    url, log = site
    page = fresh()
    page.goto(f"{url}/explore?lang=en&refresh=off")
    wait_for_run(page)
    sign_in(page, "mina")
    page.get_by_role("heading", name="Not allowed").wait_for(timeout=30_000)
    shot(page, "agent_explore_not_allowed")
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "mina (agent) may not open Explore (SQL): nothing of it is shown." in main
    assert page.locator("[data-testid='stDataFrame'], [data-testid='stMetric'], textarea").count() == 0
    assert log.frame(users=["mina"], events=["not_allowed"]).iloc[0]["page"] == "explore"


def test_the_analyst_downloads_masked_phones_and_no_name(site, fresh):
    url, log = site
    page = fresh()
    page.goto(f"{url}/explore?lang=en&refresh=off")
    wait_for_run(page)
    sign_in(page, "sora")
    page.locator(".st-key-explore_sql textarea").fill("SELECT order_id, customer_id, phone FROM orders "
                                                      "ORDER BY order_id LIMIT 3")
    page.locator(".st-key-explore_run button").click()
    page.locator(".st-key-explore_dl_parquet button").wait_for(timeout=30_000)
    wait_for_run(page)
    with page.expect_download() as dl:
        page.locator(".st-key-explore_dl_parquet button").click()
    table = pq.read_table(dl.value.path())
    assert table.column_names == ["order_id", "customer_id", "phone"]
    phones = table.column("phone").to_pylist()
    assert table.column("order_id").to_pylist() == ["O0000001", "O0000002", "O0000003"]
    assert phones[0] == "010-****-1213" and all(re.fullmatch(r"010-\*{4}-\d{4}", p) for p in phones)
    entries = log.frame(users=["sora"])
    assert entries["event"].tolist()[:2] == ["download", "explore_query"]
    assert entries.iloc[0][["target", "page"]].tolist() == ["query.parquet", "explore"]


def test_the_admin_reads_the_agents_lookup_in_the_access_log(site, fresh):
    url, log = site
    agent = fresh()
    agent.goto(f"{url}/?lang=en&refresh=off")
    wait_for_run(agent)
    sign_in(agent, "mina")
    box = agent.get_by_role("textbox", name="Order id")
    box.fill("O0000002")
    box.press("Enter")
    wait_for_run(agent)
    agent.get_by_text("O0000002").first.wait_for(timeout=30_000)
    assert log.frame(users=["mina"], events=["lookup"]).iloc[0]["detail"] == "order id: O0000002"

    page = fresh()
    page.goto(f"{url}/?lang=en&refresh=off")
    wait_for_run(page)
    sign_in(page, "root")
    page.get_by_role("heading", name="Access log").wait_for(timeout=30_000)
    wait_for_run(page)  # signed in at the root: the run that sends the admin to the Access log ends
    wait_for_render(page)
    shot(page, "admin_access_log")
    assert "the hash chain is intact" in page.locator("[data-testid='stMain']").inner_text()
    with page.expect_download() as dl:
        page.locator(".st-key-access_csv button").click()
    lines = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,at,user,role,event,page,target,detail,session"
    assert any(",mina,agent,lookup,lookup," in line and "order id: O0000002" in line for line in lines)
    # no button on the page changes the log: its one labelled button is the download (the others
    # are the table's own icons: search and full screen)
    labels = page.locator("[data-testid='stMain'] [data-testid^='stBaseButton']").all_inner_texts()
    assert [b.split("\n")[-1] for b in labels if b.strip()] == ["Download the access log (CSV)"]  # icon, label
