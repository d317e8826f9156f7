"""While new extract files are read, the page says how far it got (a first load at 1M orders
takes about two minutes), then the bar goes away."""
from __future__ import annotations

from launch_files import make_launch

ORDERS = "order_id,customer_id,channel,sku,region,ordered_at\n"


def test_new_files_show_a_progress_bar_then_it_goes(app_at, tmp_path, progress_shown):
    data = make_launch(tmp_path, {
        "orders/o_001.csv": ORDERS + "O1,C1,web,IP7-32-BLK,Seoul,2016-10-07 09:00\n",
        "orders/o_002.csv": ORDERS + "O2,C2,web,IP7-32-BLK,Seoul,2016-10-07 09:10\n",
    })
    at = app_at("status", data)
    assert not at.exception
    assert progress_shown == [
        (0.0, "Reading 2 new extract files…"),
        (0.5, "Read 1 of 2 new extract files…"),
        (1.0, "Read 2 new extract files; building the current tables and stage timeline…"),
        # then each step of the rebuild (derive.BUILD_STEPS), as it begins: a step takes up
        # to ~30 s at 1M orders
        *[(1.0, "Read 2 new extract files; " + doing + "…") for doing in (
            "building the current orders", "building the order facts", "building the activation attempt facts",
            "building the stage timeline", "building the stage spans the alert history reads",
            "building the message facts", "building the customer facts", "finding the orphan rows",
            "building the call facts", "finding the customers sent conflicting messages",
            "finding who each message batch reached", "compressing the saved launch")],
        "removed",
    ]
    orders = next(m for m in at.metric if m.label == "Orders")
    assert orders.value == "2"

    progress_shown.clear()
    at.run()  # nothing new: no bar
    assert progress_shown == [] and not at.exception


def test_each_build_step_has_words_and_a_stopped_loads_build_says_the_step_alone():
    from launchboard.derive import BUILD_STEPS
    from ui import state

    assert list(state.BUILD_WORDS) == list(BUILD_STEPS)
    assert state._building_text(0, "stage_timeline") == "Building the stage timeline…"
    assert state._building_text(1, "checkpoint") == "Read 1 new extract file; compressing the saved launch…"
