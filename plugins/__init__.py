"""GrantFlow's built-in plugins: each module registers through the same hooks as a third-party
package (listed in `grantflow.plugins.DEFAULT_PLUGINS`)."""
