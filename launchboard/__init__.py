"""Launchboard engine: loading the launch extracts and every figure of the contract.

This package never imports streamlit; the pages, the CLI and the tests share it.
"""
__version__ = "0.1.0"
