"""LSNet, the multi-channel CNN. Only the worker process in this package imports tensorflow."""
