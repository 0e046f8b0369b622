import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stewardship.domain.tasks import Cancelled
from stewardship.services.hashing import hash_file


def test_hash_matches_hashlib_and_reports_progress(tmp_path: Path):
    data = os.urandom(3 * 1024 * 1024 + 123)
    path = tmp_path / "weights.bin"
    path.write_bytes(data)
    seen: list[tuple[int, int]] = []
    digest = hash_file(
        path, progress=lambda _what, done, total: seen.append((done, total)), block_size=1 << 20
    )
    assert digest == hashlib.sha256(data).hexdigest()
    assert seen[0] == (0, len(data)) and seen[-1] == (len(data), len(data))
    assert len(seen) == 5, "one report per 1 MiB block"


def test_empty_file_hashes_like_hashlib(tmp_path: Path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert hash_file(path) == hashlib.sha256(b"").hexdigest()


def test_hashing_can_be_cancelled(tmp_path: Path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (4 << 20))
    blocks: list[int] = []
    with pytest.raises(Cancelled, match=r"big\.bin"):
        hash_file(
            path,
            progress=lambda _what, done, _t: blocks.append(done),
            cancelled=lambda: len(blocks) > 2,
        )
    assert blocks[-1] < 4 << 20, "stopped before the end"


def test_a_missing_file_says_so(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        hash_file(tmp_path / "nope.bin")


def test_benchmark_script_runs_on_a_tiny_file(tmp_path: Path):
    script = Path(__file__).parents[2] / "benchmarks" / "hash_file.py"
    out = subprocess.run(
        [sys.executable, str(script), "--size-mib", "2", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "digests match" in out and "ratio" in out
    assert not list(tmp_path.iterdir()), "the benchmark removes its file"
