"""Chart builders: pure functions from small DataFrames to ``alt.Chart`` (no streamlit).

Times arrive as launch-local wall-clock timestamps (``lb_local`` in SQL), so a chart shows
launch time whatever the viewer's browser zone. Test a builder with ``chart.to_dict()``.
"""
