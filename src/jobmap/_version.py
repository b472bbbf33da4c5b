"""The version of jobmap: a leaf module, so that any layer can record it without importing the
package (and everything it re-exports)."""

__version__ = "0.3.0"


def code_fingerprint() -> str:
    """A hash of jobmap's own source files: part of every cache key of a fitted method, so that a
    changed method never serves results fitted by the old code (the version alone does not change
    between releases)."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import hashlib
        from pathlib import Path

        root = Path(__file__).resolve().parent
        h = hashlib.sha256(__version__.encode())
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml", ".txt", ".tsv") and "bundled" not in path.parts:
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
        _FINGERPRINT = h.hexdigest()[:16]
    return _FINGERPRINT


_FINGERPRINT: str | None = None
