"""The strategies of the built-in types that differ from the default."""

from __future__ import annotations

from gitplane.api import eventconversion
from gitplane.api.errors import FieldError
from gitplane.api.validation import limitrange, namespace, resourcequota, secret
from gitplane.server.registry.strategy import Obj, Strategy

NAMESPACE_FINALIZER = "kubernetes"
NAME_LABEL = "kubernetes.io/metadata.name"


class NamespaceStrategy(Strategy):
    """Namespaces: ``spec.finalizers`` always starts with ``kubernetes`` (the namespace controller removes it
    through ``/finalize`` once the namespace is empty), the phase follows deletion, and the immutable label
    ``kubernetes.io/metadata.name`` carries the name."""

    status_subresource = True

    @staticmethod
    def _label(obj: Obj) -> None:
        meta = obj.setdefault("metadata", {})
        labels = dict(meta.get("labels") or {})
        labels[NAME_LABEL] = meta.get("name", "")
        meta["labels"] = labels

    def prepare_for_create(self, obj: Obj) -> None:
        super().prepare_for_create(obj)
        spec = dict(obj.get("spec") or {})
        finalizers = list(spec.get("finalizers") or [])
        if NAMESPACE_FINALIZER not in finalizers:
            finalizers.append(NAMESPACE_FINALIZER)
        spec["finalizers"] = finalizers
        obj["spec"] = spec
        obj["status"] = {"phase": namespace.ACTIVE}
        self._label(obj)

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        super().prepare_for_update(new, old)
        spec = dict(new.get("spec") or {})
        old_finalizers = (old.get("spec") or {}).get("finalizers")
        if old_finalizers is None:
            spec.pop("finalizers", None)
        else:
            spec["finalizers"] = old_finalizers
        if spec:
            new["spec"] = spec
        else:
            new.pop("spec", None)
        self._label(new)

    def prepare_for_subresource_update(self, subresource: str, new: Obj, old: Obj) -> None:
        if subresource == "finalize":
            spec = dict(old.get("spec") or {})
            spec["finalizers"] = list((new.get("spec") or {}).get("finalizers") or [])
            super().prepare_for_subresource_update("spec", new, old)
            new["spec"] = spec
            return
        super().prepare_for_subresource_update(subresource, new, old)
        self._label(new)

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        if subresource == "status":
            return namespace.validate_status_update(new, old)
        if subresource == "finalize":
            return namespace.validate_finalize_update(new, old)
        return super().validate_update(new, old)

    def delete_is_graceful(self, obj: Obj) -> bool:
        return super().delete_is_graceful(obj) or bool((obj.get("spec") or {}).get("finalizers"))

    def prepare_for_graceful_delete(self, obj: Obj) -> None:
        status = dict(obj.get("status") or {})
        status["phase"] = namespace.TERMINATING
        obj["status"] = status


class SecretStrategy(Strategy):
    """Secrets: ``stringData`` is folded into ``data`` and ``type`` defaults to ``Opaque``."""

    def normalize(self, obj: Obj) -> None:
        normalized = secret.normalize(obj)
        obj.clear()
        obj.update(normalized)


class LimitRangeStrategy(Strategy):
    def normalize(self, obj: Obj) -> None:
        defaulted = limitrange.default(obj)
        obj.clear()
        obj.update(defaulted)


class ResourceQuotaStrategy(Strategy):
    status_subresource = True

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        if subresource == "status":
            return resourcequota.validate_status_update(new, old)
        return super().validate_update(new, old)


class EventStrategy(Strategy):
    """Core events may be created by an update (kube's event registry allows it)."""

    allow_create_on_update = True


class EventsV1Strategy(EventStrategy):
    """``events.k8s.io/v1`` Events: a second view of the stored core ``v1`` Events."""

    converts = True

    def to_view(self, stored: Obj) -> Obj:
        return eventconversion.to_events_v1(stored)

    def from_view(self, obj: Obj) -> Obj:
        return eventconversion.to_core(obj)
