"""Scripts that run inside the sandbox (mounted read-only at /opt/bestofn); standard library only.

The host imports only `typed_values` from here, to decode results; nothing here is ever executed
on the host.
"""
