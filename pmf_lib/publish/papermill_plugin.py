"""The ``papermill.engine`` entry point ``pmf``, kept free of papermill imports.

papermill loads every registered engine while ``papermill.engines`` is itself
being imported. An entry point whose module imports papermill at the top would
then be loaded half-initialised whenever that module is imported before
papermill (``import pmf_lib.publish.papermill_engine`` raised "partially
initialized module … has no attribute 'PmfEngine'"). This class imports nothing
and hands each of papermill's engine calls to
:class:`pmf_lib.publish.papermill_engine.PmfEngine` when it is made.

Examples
--------
>>> from pmf_lib.publish.papermill_engine import PmfEngine as Engine
>>> PmfEngine.engine() is Engine
True
"""

from __future__ import annotations


class PmfEngine:
    """papermill's view of pmf's warm-kernel engine (see :mod:`.papermill_engine`)."""

    @staticmethod
    def engine():
        from pmf_lib.publish.papermill_engine import PmfEngine as Engine

        return Engine

    @classmethod
    def execute_notebook(cls, *args, **kwargs):
        return cls.engine().execute_notebook(*args, **kwargs)

    @classmethod
    def nb_kernel_name(cls, *args, **kwargs):
        return cls.engine().nb_kernel_name(*args, **kwargs)

    @classmethod
    def nb_language(cls, *args, **kwargs):
        return cls.engine().nb_language(*args, **kwargs)
