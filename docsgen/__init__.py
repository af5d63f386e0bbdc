"""Presentation of the derivations on the site: the macros pages call, the on-disk cache of derived values, check
runs and figures, every interface and figure label in English and Chinese, and the figures themselves.

Only the docs build imports this package; ``derivations`` never imports it.
"""
