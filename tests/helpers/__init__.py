"""Code the tests share: config files, commands, data sets, senders, staff ids, stored rows.

Test modules import from here (and from ``tests.harness`` and ``tests.standin``), never from
one another; ``tests/unit/test_test_layout.py`` checks that.
"""
