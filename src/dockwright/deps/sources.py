"""Where a run of `deps` gets packages: options, the resolver, and per-URL index clients."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.deps.cache import JsonCache, default_dir
from dockwright.deps.index import PYPI_SIMPLE, MultiIndex, PackageIndex, SimpleIndex, Wheelhouse
from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.request import Source
from dockwright.deps.uvrun import Resolver, UvResolver

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class DepsOptions:
    """Options of `dockwright deps`."""

    fix: bool = False
    align: bool = False
    lock: bool = False
    offline: bool = False
    find_links: tuple[Path, ...] = ()
    cache_dir: Path | None = None

    @property
    def source(self) -> Source:
        """The source every service's own index options are added to.

        Online, a service resolves from its own indexes (what the image's pip sees) and the
        `find_links` wheelhouses only serve the CPU-only PyTorch resolution; offline, every
        resolution comes from the wheelhouses alone.
        """
        if not self.offline:
            return Source()
        return Source(find_links=tuple(str(p) for p in self.find_links), offline=True)


@dataclass
class Sources:
    """The resolver and the index clients of one run (shared by all services)."""

    options: DepsOptions
    resolver: Resolver
    cache_dir: Path
    _indexes: dict[str, SimpleIndex] = field(default_factory=dict)

    @classmethod
    def create(cls, options: DepsOptions, resolver: Resolver | None = None) -> Sources:
        """Sources with uv and the on-disk cache (`options.cache_dir` or the default)."""
        folder = options.cache_dir or default_dir()
        failures = JsonCache(folder / "failures", max_age=HOUR)
        uv = UvResolver(JsonCache(folder / "resolutions"), failures=failures)
        return cls(options, resolver or uv, folder)

    def index_for(self, inputs: ServiceInputs) -> PackageIndex:
        """The service's indexes (PyPI by default) and wheelhouses; only wheelhouses offline."""
        links = [
            Path(p) for p in (*self.options.source.find_links, *inputs.find_links) if "://" not in p
        ]
        parts: list[PackageIndex] = [Wheelhouse(links)]
        if not self.options.offline:
            urls = (*(inputs.index_urls or (PYPI_SIMPLE,)), *inputs.extra_index_urls)
            parts += [self._simple(u) for u in urls]
        return MultiIndex(parts)

    def _simple(self, url: str) -> SimpleIndex:
        if url not in self._indexes:
            cache = JsonCache(self.cache_dir / "index", max_age=DAY)
            self._indexes[url] = SimpleIndex(url, cache)
        return self._indexes[url]


def prefetch(index: PackageIndex, names: Iterable[str]) -> None:
    """Fetch the listings of many packages in parallel (later calls hit memory)."""
    if isinstance(index, MultiIndex):
        index.prefetch(list(names))
