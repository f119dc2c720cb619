"""Dependency inputs in, uv resolution out.

Conflicts and their smallest fix, alignment across services, CUDA PyTorch and its cost,
locks, sdist-only packages and runtime system libraries.

Layers inside the package: `records` (plain results) < `target`, `inputs`, `request` (pure) <
`uvrun`, `index` (processes, network, cache) < `minfix`, `torch`, `native`, `align` <
`analysis` (one service, then the project) < `render`.
"""
