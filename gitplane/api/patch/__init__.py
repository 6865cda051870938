"""The three classic PATCH formats of the Kubernetes API, as pure functions over decoded JSON.

One module per format, chosen by the request's ``Content-Type``:

    application/json-patch+json            json_patch.apply_json_patch           (RFC 6902)
    application/merge-patch+json           merge_patch.apply_merge_patch         (RFC 7386, kube's flavour)
    application/strategic-merge-patch+json strategic.apply_strategic_merge_patch (built-in types only)

Each takes the live object and the decoded patch body and returns the patched object, or raises
:class:`gitplane.api.errors.APIError` with the status kube-apiserver answers. None mutates its inputs: results
share untouched subtrees with them, so callers treat inputs and result as immutable (or own a fresh decode).
Server-side apply (``application/apply-patch+yaml``) lives elsewhere.
"""
