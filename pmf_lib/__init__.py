"""pmf — performance management framework toolkit for children's social care.

The package is layered as a pipeline, each stage a sub-package that imports only
from the stages before it (and from the stage-neutral modules ``errors``,
``dates`` and ``config``)::

    read -> validate -> compute -> assess -> render -> publish

``synth`` writes the synthetic demo council's files in the national formats; it
imports nothing from the pipeline.
"""

__version__ = "0.1.0"
