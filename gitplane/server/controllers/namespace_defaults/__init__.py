"""What every namespace holds from its start, as kube's ServiceAccount and root-CA publisher controllers keep
it: the ``default`` ServiceAccount and the ``kube-root-ca.crt`` ConfigMap with the server's CA.

Steps, in calling order:

1. :mod:`.reconcile_defaults`  the ServiceAccount ``default`` exists, and the ConfigMap ``kube-root-ca.crt``
   exists holding the CA bundle (put back if deleted or changed); nothing is made in a terminating namespace.
"""
