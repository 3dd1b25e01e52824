"""Named result tuples of multi-output ops (``max(dim)``, ``sort``, ``topk``, ...), as ``torch.return_types``.

Each type is a tuple subclass: it unpacks like a plain tuple, exposes its fields by name
(``r.values``, ``r.indices``), and prints as ``torch.return_types.max(values=..., indices=...)``."""

from __future__ import annotations

from collections import namedtuple

__all__ = [
    "make",
    "max",
    "min",
    "aminmax",
    "cummax",
    "cummin",
    "median",
    "nanmedian",
    "mode",
    "kthvalue",
    "topk",
    "sort",
]

_TYPES: dict = {}


def _repr(self) -> str:
    body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{body})"


def _reduce(self):
    return (_rebuild, (type(self).__name__, self._fields, tuple(self)))


def _rebuild(name, fields, values):
    return make(name, fields)(*values)


def make(name: str, fields=("values", "indices")) -> type:
    """The named result type ``name`` with ``fields`` (created once, then reused)."""
    fields = tuple(fields)
    key = (name, fields)
    t = _TYPES.get(key)
    if t is None:
        base = namedtuple(name, fields)
        t = type(
            name,
            (base,),
            {
                "__slots__": (),
                "__repr__": _repr,
                "__str__": _repr,
                "__reduce__": _reduce,
                "__module__": __name__,
                "n_fields": len(fields),
                "n_sequence_fields": len(fields),
                "n_unnamed_fields": 0,
            },
        )
        _TYPES[key] = t
    return t


max = make("max")  # noqa: A001
min = make("min")  # noqa: A001
aminmax = make("aminmax", ("min", "max"))
cummax = make("cummax")
cummin = make("cummin")
median = make("median")
nanmedian = make("nanmedian")
mode = make("mode")
kthvalue = make("kthvalue")
topk = make("topk")
sort = make("sort")
