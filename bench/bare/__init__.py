"""The bare baseline: plain Django + django-ninja, no middleware, serving the same shapes as Tabwise's hot paths.

It exists only to be measured next to Tabwise in the same run (see bench/run.py), so Tabwise's figures can be read
as a ratio to what Django itself costs on this machine.
"""
