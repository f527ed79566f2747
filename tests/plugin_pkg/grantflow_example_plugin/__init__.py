"""A third-party plugin, installed through its entry point, that the test suite discovers."""
