"""Sphinx configuration for the channelkit documentation."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import channelkit

project = "channelkit"
author = "The channelkit developers"
copyright = "2026, The channelkit developers"
release = channelkit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
# examples/ holds the gallery's sources; sphinx-gallery turns them into gallery/.
exclude_patterns = ["_build", "examples"]
templates_path: list[str] = []
html_theme = "furo"  # wide code blocks scroll instead of being clipped
html_static_path = ["_static"]
html_css_files = ["channelkit.css"]
html_title = f"channelkit {release}"

# --------------------------------------------------------------------------- gallery
# Every docs/examples/plot_*.py runs at build time and its figures appear in
# docs/gallery/ (generated, not committed). sphinx-gallery re-runs an example only
# when its source changed, so the doctest build after the html build is quick.
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "min_reported_time": 2,
    "show_memory": False,
    "write_computation_times": False,
    "within_subsection_order": "FileNameSortKey",
}

autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "pandas": ("https://pandas.pydata.org/docs/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
}
intersphinx_timeout = 5


class _OfflineInventories(logging.Filter):
    """Let the docs build offline (CI has no network).

    An unreachable intersphinx inventory only leaves cross-references to
    numpy/scipy/pandas as plain text; it must not fail ``sphinx-build -W``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "failed to reach any of the inventories" not in record.getMessage()


for _name in ("sphinx.sphinx.ext.intersphinx._load", "sphinx.sphinx.ext.intersphinx"):
    logging.getLogger(_name).addFilter(_OfflineInventories())

doctest_global_setup = """
import numpy as np
import channelkit as ck
"""
# Docstring examples run under pytest --doctest-modules; the doctest builder runs
# only the ``.. doctest::`` blocks of the user guide.
doctest_test_doctest_blocks = ""
