"""Archive resolution: find the snapshot that best shows what each citation's author saw.

The package's modules are imported by name (``.resolver``, ``.choose``, ``.models``, …): the
plan of an offline audit uses ``.choose`` and ``.discovery`` without loading the resolver and
the HTTP archives behind it.
"""
