"""Serving CustomResourceDefinitions: what each CRD serves (:mod:`.served`) and each logical cluster's catalog
of built-in and custom types, kept current from the store (:mod:`.catalogs`)."""
