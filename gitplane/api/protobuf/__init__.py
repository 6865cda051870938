"""Kubernetes' protobuf encoding of request bodies, read into the JSON objects the rest of the server handles.

``catalog`` loads the descriptors extracted from kubectl (package data), ``to_json`` converts parsed messages
as kube's JSON serializer would write the same Go structs, ``apimachinery`` holds the types with their own JSON
form, and ``envelope.decode`` is the entry point for a request body.
"""
