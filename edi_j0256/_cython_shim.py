"""What the reader's modules use of the ``cython`` module, for when Cython is not installed.

The hot modules (``x12/tokenizer.py``, ``x12/needle.py``, ``claims/parser.py``, ``scan.py``,
``output.py``) are plain Python that Cython can also compile (its "pure Python mode"). They
import ``cython`` for :data:`compiled` (which picks a typed byte loop when compiled and the
plain passes otherwise) and a few decorators that only mean something to the compiler. Typed
locals are written as annotations, which Python never evaluates. With Cython installed its
own ``cython`` module (``Cython.Shadow``) serves; without it, this one does, with the same
meaning: nothing compiled, every decorator a no-op.
"""

from __future__ import annotations

import dataclasses  # noqa: F401  (``cython.dataclasses.dataclass``: the standard one)

compiled = False  # the importing module runs as Python


def _no_op(*args, **kwargs):
    """A directive decorator: ``@cython.boundscheck(False)`` or bare ``@cython.cfunc``."""
    if len(args) == 1 and not kwargs and callable(args[0]):
        return args[0]
    return lambda function: function


cfunc = ccall = cclass = inline = final = locals = _no_op
boundscheck = wraparound = cdivision = exceptval = annotation_typing = _no_op


def cast(kind, value, typecheck=False):
    """No C types in Python: the value as it is."""
    return value


def declare(kind=None, value=None, **kwargs):
    """No C types in Python: the initial value (``x = cython.declare(cython.int, 0)``)."""
    return value
