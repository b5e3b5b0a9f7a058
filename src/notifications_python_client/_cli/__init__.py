"""The ``notify`` command line's parts: commands, CSV reading, the bulk journal, output.

Private to the package: use ``notifications_python_client.cli`` (``main``, ``notify``).
"""
