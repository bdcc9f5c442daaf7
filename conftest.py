"""Every test in the repository gets the server fixtures of wfm_testing."""

pytest_plugins = ["wfm_testing.pytest_plugin"]
