"""Package layout beyond what ``pyproject.toml`` can say: the notebooks as package data.

The report notebooks' one source is ``notebooks/`` at the top of the checkout
(nbval and the tests read them there). A wheel carries them inside the package
as ``pmf_lib/notebooks/``, so an installed pmf finds them without the checkout
(:func:`pmf_lib.publish.plan.notebooks_dir`). Everything else is in
``pyproject.toml``.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["pmf_lib*"]), "pmf_lib.notebooks"],
    package_dir={"pmf_lib.notebooks": "notebooks"},
)
