"""CustomResourceDefinition schemas: the checks on a CRD, and what its schema does to custom objects.

Pure functions over JSON-shaped dicts, worded as kube-apiserver words its errors (clients show them verbatim).
How the server uses them:

    CRD create/update   decode_error(schema) per version -> str | None   -> 400 BadRequest when not None
                        validate_crd_schemas(crd) -> [FieldError]        -> 422 Invalid when non-empty
    custom object write prepare_write(obj, schema, old=stored_or_None)   prunes, defaults, validates in place
                          -> WriteResult                                  (old: ratchets unchanged values)
                          .unknown_fields / .strict_errors()              fieldValidation Strict: refuse,
                                                                          Warn: one Warning header each
                          .errors                                         -> 422 Invalid when non-empty
                        validate_status(obj, schema)                      for the status subresource
    custom object read  prepare_read(obj, schema)                         prunes and defaults (new defaults
                                                                          reach old objects)

``schema`` is the version's ``spec.versions[i].schema.openAPIV3Schema``. The modules, in the order data flows:

    shape            does a schema decode into kube's JSONSchemaProps (wrong JSON types: a 400)
    crd_schema       the per-version CRD checks, calling structural, openapi_checks and the default checks
    structural       kube's structural-schema invariants
    openapi_checks   kube's per-node apiextensions checks (unsupported keywords, list/map extensions)
    pruning          unknown-field pruning, with the pruned paths
    defaulting       null pruning and defaults
    values           the schema walk of kube-openapi (types, formats, bounds, junctors, enum, required)
    validity         each schema compiled once into checks that tell, fast, whether the walk finds no error
                     (the walk then runs only for invalid values, to word their errors)
    ratcheting       on update, which old value each node is compared with
    numbers, formats the numeric and string-format checks used by values
    result           kube-openapi errors -> kube field errors
    embedded         x-kubernetes-embedded-resource: apiVersion, kind, ObjectMeta
    listtype         x-kubernetes-list-type set/map duplicates
    regex            Go (RE2) regular expressions, with Go's compile errors
    gorender         Go's renderings of values inside messages
"""

from gitplane.api.crd.crd_schema import validate_crd_schemas, validate_version_schema
from gitplane.api.crd.defaulting import apply_defaults
from gitplane.api.crd.objects import WriteResult, prepare_read, prepare_write, validate_object, validate_status
from gitplane.api.crd.pruning import prune
from gitplane.api.crd.shape import decode_error

__all__ = [
    "WriteResult",
    "apply_defaults",
    "decode_error",
    "prepare_read",
    "prepare_write",
    "prune",
    "validate_crd_schemas",
    "validate_object",
    "validate_status",
    "validate_version_schema",
]
