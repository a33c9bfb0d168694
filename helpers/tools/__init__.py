"""Maintainer tools, each run as ``python -m helpers.tools.NAME``: ``bench`` (the batch client's
figures), ``keep_outputs`` (refresh kept notebook outputs), ``check_live`` (drift from the service)."""
