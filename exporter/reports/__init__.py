"""Is the history complete? Coverage per source, gaps, bots next to the ledger, reconcile vs the API."""
