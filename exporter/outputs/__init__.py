"""Writers: one module per target format. They only read `transactions` and `ledger`."""
