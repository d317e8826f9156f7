"""Streamlit glue shared by the pages: the one Store, the controls, cached figures.

The engine (``launchboard``) never imports streamlit; this package is the only bridge.
"""
