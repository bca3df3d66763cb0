"""channelkit works without its optional dependencies."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from channelkit._optional import import_optional

BLOCK = textwrap.dedent(
    """
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"pandas", "matplotlib", "dask", "distributed", "tqdm"}:
                raise ImportError(f"{name} is blocked for this test")
            return None
    sys.meta_path.insert(0, Block())
    """
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_csv_and_demo_need_no_optional_dependency() -> None:
    done = _run(
        """
        import channelkit as ck
        from channelkit.cli import main
        from channelkit.datasets import example_portfolio
        assert len(example_portfolio()) == 500
        assert main(["demo"]) == 0
        """
    )
    assert done.returncode == 0, done.stderr
    assert "Channel shape" in done.stdout


def test_missing_extra_names_the_extra_to_install() -> None:
    done = _run(
        """
        import channelkit as ck
        try:
            ck.Portfolio(["a"]).to_frame()
        except ImportError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'channelkit[pandas]'" in done.stdout


def test_import_optional_error_message() -> None:
    with pytest.raises(ImportError, match=r"channelkit\[plot\]"):
        import_optional("no_such_module_for_channelkit", "plot")
