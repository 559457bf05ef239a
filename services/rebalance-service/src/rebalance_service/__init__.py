"""Stateless rebalancer: reads brokerage CSVs, computes trades, serves the page."""
