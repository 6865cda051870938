"""gitplane: a GitOps-native control plane.

A Kubernetes-compatible API server of logical clusters (``gitplane.server``) on a pluggable store
(``gitplane.storage``), the pure API machinery they share (``gitplane.api``), the reconcile runtime
(``gitplane.runtime``) and the command line (``gitplane.cli``).
"""

__version__ = "0.1.0"
