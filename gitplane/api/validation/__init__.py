"""Validation of the built-in types' objects, worded exactly as kube-apiserver words it.

    names          the name formats (DNS-1123 subdomain and label, qualified name, label value, config key)
    objectmeta     the metadata rules of every object, on create and on update
    <type>         one module per built-in type: ``validate(obj)`` and ``validate_update(new, old)`` return
                   the field errors of a 422 (configmap, secret, namespace, serviceaccount, event,
                   resourcequota, limitrange, lease)
    builtin        which rules apply to which served resource type, plus the decoding checks (400s)

Helpers shared by the type modules: ``resourcenames`` (quota and limit resource names and quantities),
``bytesdata`` (base64 maps), ``goerrors`` (errors whose value kube prints in Go syntax).
"""
