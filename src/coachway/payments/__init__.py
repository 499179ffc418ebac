"""Payments: the payment configuration (deposit and balance terms) so far; charging comes with its issue."""
