"""Files as every stage writes them: plain pickles and JSON, each written to a dot-named
temporary and renamed, mode 0644, synced.

Plain ``pickle`` (not joblib) because the contract promises files that load with ``pickle``
and only numpy, scikit-learn and hdbscan installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from contextlib import contextmanager
from pathlib import Path

# Every file the service writes, whatever the umask: the backend may read it under another
# user, and nobody but its owner may change a model the backend will unpickle.
FILE_MODE = 0o644


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb"):
    """Open a dot-named temporary beside ``path``; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), FILE_MODE)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def file_sha256(path: str | os.PathLike) -> str:
    """Content hash, for input fingerprints and the manifest."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(directory: Path) -> None:
    """Make a rename durable: the directory entry is only on disk once the directory is synced."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def link_or_copy(src: str | os.PathLike, dst: str | os.PathLike, link: bool = True) -> None:
    """Give ``dst`` the bytes of ``src`` atomically: hard-link (or copy) to a temporary, rename.

    A hard link costs no space or time, and replacing ``dst`` by rename never changes the
    inode a reader already has open. Two outputs of Snakemake jobs must not share an inode
    (``link=False``): Snakemake sets an output's mtime after its job, which would also change
    the other file and make Snakemake see an input newer than its output.
    """
    dst = Path(dst)
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        linked = False
        if link:
            try:
                os.link(src, tmp)
                linked = True
            except OSError:  # another file system, or links not supported
                pass
        if not linked:
            shutil.copyfile(src, tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)  # a link shares the source's inode: that is ours too
        os.replace(tmp, dst)
        fsync_dir(dst.parent)
    finally:
        tmp.unlink(missing_ok=True)


def save_pickle(obj, path) -> None:
    with atomic_write(path) as handle:
        pickle.dump(obj, handle, protocol=pickle.DEFAULT_PROTOCOL)


def load_pickle(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)


def save_json(obj, path) -> None:
    with atomic_write(path, "w") as handle:
        json.dump(obj, handle, indent=2, sort_keys=False, allow_nan=False)
        handle.write("\n")


def load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
