"""The read-only Pionex REST API: signing, the guarded client, paging strategies and the fetch."""
