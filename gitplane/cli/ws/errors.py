"""The one error the plugin reports to the user.

Every module raises :class:`PluginError` with the message kcp's plugin would print; :mod:`main` turns it into
``error: <message>`` on stderr and exit status 1. Nothing is written to the kubeconfig once one is raised,
because every command computes its whole edit before it writes.
"""

from __future__ import annotations


class PluginError(Exception):
    """A failure to report as ``error: <message>``."""
