"""The pure domain of rebalancer: money, catalogue, targets, problem and plan.

Nothing here does I/O or imports a web framework, an ORM or a crypto library.
"""
