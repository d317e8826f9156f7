"""A server started on a folder whose file changed since the saved launch was loaded builds it
again from scratch: the progress bar and the Data quality page say why, naming the file."""
from __future__ import annotations

from launch_files import make_launch

from launchboard.loader import open_store

HEAD = "order_id,customer_id,channel,sku,region,ordered_at\n"


def test_the_quality_page_says_why_the_launch_was_rebuilt(app_at, tmp_path, progress_shown):
    data = make_launch(tmp_path, {"orders/o1.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00\n",
                                  "orders/o2.csv": HEAD + "O2,C2,web,IP7,Seoul,2016-10-07 09:10\n"})
    open_store(data).close()  # the server before: loaded both files, then stopped
    (data / "orders" / "o2.csv").unlink()
    at = app_at("quality", data)
    assert not at.exception
    why = "Building the launch again from scratch (orders/o2.csv is no longer in the data folder). "
    assert progress_shown[:3] == [(0.0, why + "Reading 1 new extract file…"),
                                  (1.0, why + "Read 1 new extract file; building the current tables and stage timeline…"),
                                  (1.0, why + "Read 1 new extract file; building the current orders…")]
    assert progress_shown[-2:] == [(1.0, why + "Read 1 new extract file; compressing the saved launch…"), "removed"]
    warning = next(w.value for w in at.warning if "built again from scratch" in w.value)
    assert warning.startswith("The launch was built again from scratch when the server started (")
    assert warning.endswith("because:\n- orders/o2.csv is no longer in the data folder")
    files = next(df.value for df in at.dataframe if "rows_accepted" in df.value.columns).set_index("table")
    assert int(files.loc["orders", "files"]) == 1 and int(files.loc["orders", "rows_read"]) == 1


def test_a_restart_with_nothing_to_do_shows_the_launch_without_a_bar(app_at, tmp_path, progress_shown):
    data = make_launch(tmp_path, {"orders/o1.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00\n"})
    open_store(data).close()
    at = app_at("status", data)
    assert not at.exception and progress_shown == []
    assert next(m for m in at.metric if m.label == "Orders").value == "1"
