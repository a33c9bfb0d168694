"""Notebook conveniences: ``connect()`` and its Connection (connection, live_check), the explorer
widget, the cost calculator and the pricing model. Not meant to be copied: the ``snippet`` cells
of the notebooks show the same calls written out with ``requests`` alone."""
